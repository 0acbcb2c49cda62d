package client_test

import "context"
import "fmt"
import "net"
import "net/http"
import "strings"
import "sync/atomic"
import "testing"

import "github.com/strata-eval/strata/client"

// TestConnectionReused: every answer is read to its end before its body is
// closed, so one connection serves call after call; a body closed before
// its end would have its connection discarded and a new one dialled.
func TestConnectionReused(t *testing.T) {
	ctx := t.Context()
	srv, key := newAPIServer(t)
	var dials atomic.Int32
	var dialer net.Dialer
	c := client.New(srv.URL, key)
	c.HTTP = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	d, err := c.CreateDataset(ctx, client.DatasetInput{Name: "reused"})
	if err != nil {
		t.Fatal(err)
	}
	var lines strings.Builder
	for i := range 150 {
		fmt.Fprintf(&lines, `{"input":"item %d %s"}`+"\n", i, strings.Repeat("x", 200))
	}
	if _, err := c.Import(ctx, d.ID, client.FormatJSONL, strings.NewReader(lines.String()), client.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"ListItems":  func() error { _, err := c.ListItems(ctx, d.ID, client.PageOptions{}); return err },
		"GetDataset": func() error { _, err := c.GetDataset(ctx, d.ID); return err },
		"ListVersionItems": func() error {
			_, err := c.ListVersionItems(ctx, d.ID, "latest", client.PageOptions{})
			return err
		},
		"ListDatasets": func() error { _, err := c.ListDatasets(ctx, client.ListOptions{}); return err },
		"GetItem404": func() error {
			if _, err := c.GetItem(ctx, d.ID, "00000000-0000-4000-8000-000000000000"); !client.IsNotFound(err) {
				return fmt.Errorf("want a 404, got %v", err)
			}
			return nil
		},
	}
	for name, call := range calls {
		before := dials.Load()
		for range 50 {
			if err := call(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if got := dials.Load() - before; got > 0 {
			t.Errorf("%s: %d connections dialled for 50 calls on an open one, want none", name, got)
		}
	}
}

// TestBaseURLWithSlash: a BaseURL set in a struct literal may end with "/"
// (New trims it; so do the calls).
func TestBaseURLWithSlash(t *testing.T) {
	ctx := t.Context()
	srv, key := newAPIServer(t)
	c := &client.Client{BaseURL: srv.URL + "/", Key: key}
	d, err := c.CreateDataset(ctx, client.DatasetInput{Name: "slash"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateItem(ctx, d.ID, client.ItemInput{Input: "a"}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetDataset(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 {
		t.Fatalf("%d items, want 1", len(got.Items))
	}
}
