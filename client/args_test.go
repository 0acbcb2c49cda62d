package client_test

import "context"
import "errors"
import "net/http"
import "net/http/httptest"
import "sync/atomic"
import "testing"

import "github.com/strata-eval/strata/client"

// newHandlerServer serves h and returns its URL.
func newHandlerServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestInvalidArguments: an empty id or ref, ".", ".." or one holding "/"
// would send the request to another route (and decode its answer into the
// wrong type): the client refuses it before sending anything, with an error
// wrapping ErrInvalidArgument.
func TestInvalidArguments(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	d, err := c.CreateDataset(ctx, client.DatasetInput{Name: "args"})
	if err != nil {
		t.Fatal(err)
	}
	item, err := c.CreateItem(ctx, d.ID, client.ItemInput{Input: "a"}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func(bad string) error{
		"GetVersion": func(bad string) error { _, err := c.GetVersion(ctx, d.ID, bad); return err },
		"ListVersionItems": func(bad string) error {
			_, err := c.ListVersionItems(ctx, d.ID, bad, client.PageOptions{})
			return err
		},
		"GetRun":       func(bad string) error { _, err := c.GetRun(ctx, d.ID, bad); return err },
		"GetDataset":   func(bad string) error { _, err := c.GetDataset(ctx, bad); return err },
		"GetItem":      func(bad string) error { _, err := c.GetItem(ctx, d.ID, bad); return err },
		"ItemOfBadSet": func(bad string) error { _, err := c.GetItem(ctx, bad, item.ID); return err },
		"GetEvaluator": func(bad string) error { _, err := c.GetEvaluator(ctx, bad); return err },
		"TagVersion":   func(bad string) error { _, _, err := c.TagVersion(ctx, d.ID, "1", bad); return err },
		"DeleteItem":   func(bad string) error { return c.DeleteItem(ctx, d.ID, bad, client.WriteOptions{}) },
		"Export": func(bad string) error {
			_, err := c.Export(ctx, d.ID, bad, client.FormatJSONL, &discard{}, client.ExportOptions{})
			return err
		},
	}
	for name, call := range calls {
		for _, bad := range []string{"", ".", "..", "a/b", "../" + d.ID} {
			err := call(bad)
			if !errors.Is(err, client.ErrInvalidArgument) {
				t.Errorf("%s(%q) = %v, want ErrInvalidArgument", name, bad, err)
			}
		}
	}
	// The dataset is untouched, and good arguments still work.
	if got, err := c.GetItem(ctx, d.ID, item.ID); err != nil || got.Input != "a" {
		t.Fatalf("GetItem = %v, %v", got, err)
	}
	if v, err := c.GetVersion(ctx, d.ID, "1"); err != nil || v.Version.VersionNumber != 1 {
		t.Fatalf("GetVersion(1) = %v, %v", v, err)
	}
}

// TestInvalidArgumentNotSent: a refused call sends nothing.
func TestInvalidArgumentNotSent(t *testing.T) {
	var calls atomic.Int32
	c := client.New(newHandlerServer(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }), "k")
	_, err := c.GetVersion(context.Background(), "d", "..")
	if !errors.Is(err, client.ErrInvalidArgument) || client.StatusOf(err) != 0 {
		t.Fatalf("err = %v, want ErrInvalidArgument", err)
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d requests sent, want none", n)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
