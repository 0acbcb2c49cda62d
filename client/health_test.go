package client_test

import "net/http"
import "net/http/httptest"
import "testing"

import "github.com/strata-eval/strata/client"

func TestHealth(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		keyless := client.New(newServer(t).BaseURL, "")
		if err := keyless.Health(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrNotStrata", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		err := client.New(srv.URL, "").Health(t.Context())
		if got, want := client.StatusOf(err), http.StatusNotFound; got != want {
			t.Fatalf("status = %d (%v), want %d", got, err, want)
		}
	})
}
