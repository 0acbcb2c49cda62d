package api_test

import "bufio"
import "context"
import "errors"
import "fmt"
import "io"
import "net"
import "net/http"
import "os"
import "strings"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/rules"

// slowClient is a raw TCP client that sends a request's head, then its body
// a byte at a time, or part of it and then nothing, as an abusive client
// does.
type slowClient struct {
	addr string
	// trickle sends the whole body a byte at a time; else only its first
	// sent bytes, then nothing more.
	trickle bool
	sent    int
}

// do sends the request and returns the server's answer, and whether the
// server closed the connection after it.
func (c slowClient) do(t *testing.T, method, path string, h http.Header, body string) (status int, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", c.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: strata\r\nContent-Length: %d\r\n", method, path, len(body))
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		n := len(body)
		if !c.trickle {
			n = c.sent
		}
		for i := 0; i < n; i++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
		}
	}()
	// A bound on the test, not an expectation: a server that waits for the
	// body has not answered by then.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("%s %s: no answer: %v", method, path, err)
	}
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	res.Body.Close()
	_, err = br.ReadByte()
	closed = err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
	return res.StatusCode, closed
}

func TestSlowBody(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) {
		// Only the body deadline can stop a trickle within the test.
		s.Limits.RequestTimeout = time.Hour
		s.BodyTimeout = 200 * time.Millisecond
		s.MinBodyRate = 10_000
	})
	id := ts.createDataset(t, "slow")
	addr := strings.TrimPrefix(ts.URL, "http://")
	owner := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"application/json"}}
	item := `{"input":"` + strings.Repeat("a", 1000) + `"}`

	t.Run("TrickledJSONBody", func(t *testing.T) {
		status, closed := slowClient{addr: addr, trickle: true}.do(t, "POST", datasetsPath+"/"+id+"/items", owner, item)
		if got, want := status, http.StatusRequestTimeout; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
		if !closed {
			t.Fatal("connection left open")
		}
	})
	t.Run("TrickledRawImport", func(t *testing.T) {
		h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {"text/csv"}}
		status, closed := slowClient{addr: addr, trickle: true}.do(t, "POST", datasetsPath+"/"+id+"/import", h,
			"input\n"+strings.Repeat("b", 1000)+"\n")
		if got, want := status, http.StatusRequestTimeout; got != want {
			t.Fatalf("status %d, want %d", got, want)
		}
		if !closed {
			t.Fatal("connection left open")
		}
	})
	t.Run("FairBody", func(t *testing.T) {
		// A body sent at once is taken, however large within the limits.
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/items", ts.owner, `{"input":"`+strings.Repeat("c", 500_000)+`"}`)
		if got, want := r.Status, http.StatusCreated; got != want {
			t.Fatalf("status %d, want %d: %s", got, want, r.Body)
		}
	})
	if got, want := ts.dataset(t, id)["itemCount"], float64(1); got != want {
		t.Fatalf("itemCount = %v, want %v: a cut-off body was stored", got, want)
	}
}

// TestRefusedBeforeBody: a request refused for its key is answered without
// waiting for its body, and its connection closed.
func TestRefusedBeforeBody(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) { s.Limits.RequestTimeout = time.Hour })
	id := ts.createDataset(t, "refused")
	addr := strings.TrimPrefix(ts.URL, "http://")
	body := `{"input":"` + strings.Repeat("a", 1000) + `"}`
	for _, c := range []struct {
		name string
		key  string
		want int
	}{
		{"NoKey", "", http.StatusUnauthorized},
		{"UnknownKey", "strata_nope", http.StatusUnauthorized},
		{"Viewer", ts.viewer, http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}}
			if c.key != "" {
				h.Set("Authorization", "Bearer "+c.key)
			}
			// Ten bytes of a thousand, then nothing.
			status, closed := slowClient{addr: addr, sent: 10}.do(t, "POST", datasetsPath+"/"+id+"/items", h, body)
			if got, want := status, c.want; got != want {
				t.Fatalf("status %d, want %d", got, want)
			}
			if !closed {
				t.Fatal("connection left open, waiting for the body")
			}
		})
	}
}

// TestBodyDeadlineEndsWithBody: once the body is in, its deadline no longer
// applies: a handler that works longer than the body may take (here, an LLM
// call) still answers.
func TestBodyDeadlineEndsWithBody(t *testing.T) {
	const bodyTimeout = 50 * time.Millisecond
	fake := newFakeLLM(t, func(r *llmRequest) (string, int) {
		time.Sleep(6 * bodyTimeout) // outlasts the body's deadline
		return "done", 0
	})
	ts := newTestServerWith(t, func(s *api.Server) {
		s.LLM = fake.client(1)
		s.BodyTimeout, s.MinBodyRate = bodyTimeout, -1
	})
	ds := ts.createDataset(t, "long")
	item := ts.createItem(t, ds, "q")
	r := ts.do(t, "POST", datasetsPath+"/"+ds+"/items/"+item+"/generate", ts.owner, `{"instructions":"take your time"}`)
	wantStatus(t, r, http.StatusOK)
}

// TestStalledReader: a client that stops reading an answer holds it no
// longer than the request may take. The server gives the answer up at the
// request's deadline, and the client, reading again, finds it cut short.
// The items are sent from the cache of encoded reads, which reads nothing
// more once the answer has started: only the write deadline can end it.
func TestStalledReader(t *testing.T) {
	// The whole read below streams 24 MiB from the store within the
	// request's timeout: a few times what it takes on a loaded machine
	// (PostgreSQL, tests of other packages running beside).
	const timeout = 6 * time.Second
	ts := newTestServerWith(t, func(s *api.Server) {
		s.Limits.RequestTimeout = timeout
		s.CacheBytes = 1 << 30
	})
	id := ts.createDataset(t, "stalled")
	// 24 MiB of items: far more than the sockets' buffers hold (a few
	// MiB each way on the loopback).
	line := `{"input":"` + strings.Repeat("a", 1000) + `"}` + "\n"
	// Through the store: the request timeout is short for the test.
	ctx := context.Background()
	p, err := ts.store.Authenticate(ctx, ts.owner)
	if err != nil {
		t.Fatal(err)
	}
	src := importer.NewJSONL(strings.NewReader(strings.Repeat(line, 24<<10)))
	if _, err := ts.store.ImportItems(ctx, p.Actor(), id, src, strata.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	get := func() *http.Request {
		req, _ := http.NewRequest("GET", ts.URL+datasetsPath+"/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+ts.owner)
		return req
	}
	// Read whole, the answer completes, and its items are kept.
	res, err := new(http.Client).Do(get())
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, res.Body); err != nil {
		t.Fatalf("a reading client got %d bytes, then %v", n, err)
	}
	res.Body.Close()

	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := get().Write(conn); err != nil {
		t.Fatal(err)
	}
	time.Sleep(timeout + rules.WriteGrace + time.Second) // past the deadline and its grace, reading nothing
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	res, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.ContentLength <= 0 {
		t.Fatalf("status %d, length %d: want 200 and the kept items' length", res.StatusCode, res.ContentLength)
	}
	n, err := io.Copy(io.Discard, res.Body)
	if err == nil || n >= res.ContentLength {
		t.Fatalf("the stalled client got %d of %d bytes (%v): the server waited for it past the deadline", n, res.ContentLength, err)
	}
	t.Logf("the stalled client got %d of %d bytes, then %v", n, res.ContentLength, err)
}
