package bench

import "context"
import "net"
import "net/http"
import "net/http/httptest"
import "os"
import "strings"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata/client"

// The load's sender reads every answer to its end, so one connection
// carries all the requests of a worker, and reports a refusal with its
// status and the server's message.
func TestLoadSenderReusesConnection(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/busy" {
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"message":"too many requests of this key"}`))
			return
		}
		w.Write([]byte(strings.Repeat("x", 64<<10)))
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	s := &loadSender{hc: newHTTPClient(1), base: srv.URL, auth: "Bearer k"}
	for i := 0; i < 50; i++ {
		if err := s.send(context.Background(), http.MethodGet, "/page", nil, http.StatusOK); err != nil {
			t.Fatal(err)
		}
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("50 requests took %d connections, want 1", got)
	}
	err := s.send(context.Background(), http.MethodPost, "/busy", []byte("{}"), http.StatusCreated)
	if got, want := client.StatusOf(err), http.StatusTooManyRequests; got != want {
		t.Fatalf("status of %v = %d, want %d", err, got, want)
	}
	if got, want := err.Error(), "too many requests of this key"; !strings.Contains(got, want) {
		t.Errorf("error %q does not carry the server's message %q", got, want)
	}
}

func TestEditBody(t *testing.T) {
	got := string(editBody(make([]byte, 0, 8), 3, time.Unix(0, 42)))
	if want := `{"input":"edited by worker 3 at 42"}`; got != want {
		t.Errorf("editBody = %s, want %s", got, want)
	}
}

// procCPU reads this process's CPU time, which only grows.
func TestProcCPU(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	a, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for i := 0; i < 50_000_000; i++ {
		x ^= i
	}
	_ = x
	b, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if a < 0 || b < a {
		t.Errorf("CPU time went from %v to %v", a, b)
	}
}

// The report gives the CPU per request of both sides when it has them.
func TestLoadReportCPU(t *testing.T) {
	r := &LoadReport{Config: LoadConfig{URL: "http://127.0.0.1:1", ServerPID: 7}, Elapsed: time.Second, Requests: 1000,
		ClientCPU: 200 * time.Millisecond, ServerCPU: 900 * time.Millisecond}
	var b strings.Builder
	if err := r.Print(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"load generator CPU: 200ms, 0.20 ms per request", "server CPU (pid 7): 900ms, 0.90 ms per request"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
