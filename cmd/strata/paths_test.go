package main

import "io"
import "net/http"
import "strings"
import "testing"

import apiclient "github.com/strata-eval/strata/client"

// A path with dot segments or empty ones is answered where it is sent, as
// a resource that is not there: never a redirect to its cleaned form, which
// a client that follows redirects (Go's does) would send its DELETE on to.
func TestUncleanPathsAreNotRedirected(t *testing.T) {
	m := runServe(t, testDSN(t))
	key, base := m.ownerKey(t), m.base()
	c := apiclient.New(base, key)
	d, err := c.CreateDataset(t.Context(), apiclient.DatasetInput{Name: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	ds := base + "/v1/datasets-v2/" + d.ID
	cases := []struct{ method, url, want string }{
		{"DELETE", ds + "/items/..", `{"message":"Not Found"}`},
		{"DELETE", ds + "/tags/..", `{"message":"Not Found"}`},
		{"PUT", ds + "/versions/1/tags/..", `{"message":"Not Found"}`},
		{"POST", base + "/v1/datasets-v2/x/../" + d.ID + "/versions", `{"message":"Not Found"}`},
		{"GET", base + "/v1/datasets-v2//" + d.ID, `{"message":"Not Found"}`},
		{"GET", ds + "/items/../../../../healthz", `{"message":"Not Found"}`},
		{"POST", base + "/datasets/" + d.ID + "/items/../delete", "There is no page at this address."},
		{"GET", base + "/datasets/./", "There is no page at this address."},
	}
	for _, tc := range cases {
		req, err := http.NewRequest(tc.method, tc.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req) // follows redirects
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s %s: %d %.200s, want 404 %s", tc.method, tc.url, resp.StatusCode, body, tc.want)
		}
		if resp.Request.URL.String() != tc.url {
			t.Errorf("%s %s was redirected to %s", tc.method, tc.url, resp.Request.URL)
		}
	}
	if _, err := c.GetDataset(t.Context(), d.ID); err != nil {
		t.Fatalf("the dataset after the requests: %v", err)
	}
}
