package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/api"
)

// BenchmarkRequests serves each request of `strata bench --http`'s mixed
// load through the whole handler (authentication, limits, store, encoding),
// with no network: its ns/op and allocs/op are the server's own cost of a
// request, which the load's throughput on two cores depends on.
func BenchmarkRequests(b *testing.B) {
	s := openStore(b)
	srv := &api.Server{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b.Cleanup(srv.Close)
	h := srv.Handler()
	_, key, err := s.CreateKey(context.Background(), strata.KeyCreate{ProjectName: "p", Role: strata.RoleMember, UserName: "u"})
	if err != nil {
		b.Fatal(err)
	}
	send := func(b *testing.B, method, path, body string, want int) []byte {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req := httptest.NewRequest(method, path, r)
		req.Header.Set("Authorization", "Bearer "+key)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		w := &discardWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.status != want {
			b.Fatalf("%s %s: %d %s", method, path, w.status, w.head)
		}
		return w.head
	}
	id := func(body []byte) string {
		var v struct {
			ID      string
			Version struct{ ID string } // a snapshot's answer
		}
		if err := json.Unmarshal(body, &v); err != nil || v.ID+v.Version.ID == "" {
			b.Fatalf("no id in %s: %v", body, err)
		}
		return v.ID + v.Version.ID
	}
	// A dataset of 100 items with a version, as the load makes them.
	path := datasetsPath + "/" + id(send(b, "POST", datasetsPath, `{"name":"bench"}`, http.StatusCreated))
	items := make([]string, 100)
	for i := range items {
		body := fmt.Sprintf(`{"input":"Question %d: can order #%d still be returned?","groundTruth":"yes"}`, i, i)
		items[i] = id(send(b, "POST", path+"/items?skipVersion=true", body, http.StatusCreated))
	}
	versionPage := path + "/versions/" + id(send(b, "POST", path+"/versions", `{}`, http.StatusCreated)) + "/items?limit=100"

	b.Run("GET dataset", func(b *testing.B) {
		for b.Loop() {
			send(b, "GET", path, "", http.StatusOK)
		}
	})
	b.Run("GET item", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			send(b, "GET", path+"/items/"+items[i%len(items)], "", http.StatusOK)
		}
	})
	b.Run("GET version page", func(b *testing.B) {
		for b.Loop() {
			send(b, "GET", versionPage, "", http.StatusOK)
		}
	})
	b.Run("PATCH item", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			body := fmt.Sprintf(`{"output":"answer %d"}`, i)
			send(b, "PATCH", path+"/items/"+items[i%len(items)]+"?skipVersion=true", body, http.StatusOK)
		}
	})
}

// discardWriter is a ResponseWriter that keeps the status and the first
// bytes of the body only, so that the benchmark measures the server's
// allocations, not a recorder's.
type discardWriter struct {
	header http.Header
	status int
	head   []byte
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if n := min(len(p), 4096-len(w.head)); n > 0 {
		w.head = append(w.head, p[:n]...)
	}
	return len(p), nil
}
