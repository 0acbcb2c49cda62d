package main

import "fmt"
import "io"
import "net"
import "net/http"
import "net/http/httptest"
import "strings"
import "testing"
import "time"

import apiclient "github.com/strata-eval/strata/client"

// A request still running when the drain ends (a client that stopped
// sending its upload) is canceled: the stop is a clean one, and says so.
func TestShutdownCancelsWhatTheDrainLeft(t *testing.T) {
	s := runServeWith(t, testDSN(t), func(m *Main) { m.drain = 200 * time.Millisecond })
	conn, err := net.Dial("tcp", s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/datasets-v2 HTTP/1.1\r\nHost: strata\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"name\": \"", s.ownerKey(t))
	for s.active.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close with an upload left running = %v, want nil", err)
	}
	if got := s.active.Load(); got != 0 {
		t.Fatalf("%d requests still running after Close", got)
	}
	if log := s.stderr.String(); !strings.Contains(log, "requests still running after the drain are canceled") {
		t.Fatalf("the log does not say a request was canceled:\n%s", log)
	}
}

// A request that waits on something of the server's (here an LLM that does
// not answer) when the drain ends is answered 503, which a client may
// retry, rather than cut off.
func TestShutdownAnswersWhatItCancels(t *testing.T) {
	asked, ended := make(chan struct{}, 1), make(chan struct{})
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then its context ends with the client's request
		asked <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-ended:
		}
	}))
	defer llm.Close()
	defer close(ended)
	t.Setenv("OPENAI_API_KEY", "sk-test")
	s := runServeWith(t, testDSN(t), func(m *Main) { m.drain = 200 * time.Millisecond }, "--llm-base-url", llm.URL)
	key := s.ownerKey(t)
	c := apiclient.New(s.base(), key)
	d, err := c.CreateDataset(t.Context(), apiclient.DatasetInput{Name: "qa"})
	if err != nil {
		t.Fatal(err)
	}
	it, err := c.CreateItem(t.Context(), d.ID, apiclient.ItemInput{Input: "q"}, apiclient.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		status int
		retry  string
		body   string
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest("POST", s.base()+"/v1/datasets-v2/"+d.ID+"/items/"+it.ID+"/generate", strings.NewReader(`{"instructions":"Answer."}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- answer{err: err}
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		done <- answer{status: res.StatusCode, retry: res.Header.Get("Retry-After"), body: string(body)}
	}()
	select {
	case <-asked:
	case a := <-done:
		t.Fatalf("generate answered before the LLM was asked: %d %s %v", a.status, a.body, a.err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	a := <-done
	if a.err != nil || a.status != http.StatusServiceUnavailable || a.retry == "" || !strings.Contains(a.body, "The server is stopping") {
		t.Fatalf("the canceled request got %d (Retry-After %q) %s, err %v; want 503 saying the server is stopping", a.status, a.retry, a.body, a.err)
	}
}

// A stop says so when it begins, with the requests it drains. An upload
// still arriving when the drain ends is cut off by the server: recorded as
// the 503 it is, in the access log and the metrics (a 5xx, seen by the
// error-ratio alert), never as its client's leaving (499). That holds
// because every request's context is the stop's from the first on; set
// after the server had begun to serve, it could be missed (go test -race
// reports that race).
func TestShutdownRecordsWhatItCuts(t *testing.T) {
	s := runServeWith(t, testDSN(t), func(m *Main) { m.drain = 200 * time.Millisecond }, "--log-format", "json")
	key := s.ownerKey(t)
	d, err := apiclient.New(s.base(), key).CreateDataset(t.Context(), apiclient.DatasetInput{Name: "qa"})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/datasets-v2/%s/import HTTP/1.1\r\nHost: strata\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/x-ndjson\r\nContent-Length: 10000000\r\n\r\n", d.ID, key)
	go func() { // the upload goes on arriving until the server cuts it off
		for {
			if _, err := fmt.Fprintf(conn, "{\"input\":\"q\"}\n"); err != nil {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	for s.active.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	log := s.stderr.String()
	if l := logLines(t, log, "stopping: draining the requests in flight"); len(l) != 1 || l[0]["level"] != "INFO" || l[0]["requests"] != 1.0 {
		t.Errorf("the stop's start is not logged once, at info, with the one request in flight:\n%s", log)
	}
	var statuses []any
	for _, l := range logLines(t, log, "request") {
		if l["route"] == "/v1/datasets-v2/{datasetId}/import" {
			statuses = append(statuses, l["status"])
		}
	}
	if len(statuses) != 1 || statuses[0] != 503.0 {
		t.Errorf("the cut upload's access lines have statuses %v, want one 503:\n%s", statuses, log)
	}
	fams, err := s.metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	ms := metricSet{}
	for _, f := range fams {
		ms[f.GetName()] = f
	}
	route := []string{"route", "/v1/datasets-v2/{datasetId}/import"}
	if got503, got499 := ms.value("strata_http_requests_total", append(route, "code", "503")...),
		ms.value("strata_http_requests_total", append(route, "code", "499")...); got503 != 1 || got499 != 0 {
		t.Errorf("the cut upload counted %v times as 503 and %v as 499, want once as 503", got503, got499)
	}
}
