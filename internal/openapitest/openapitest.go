// Package openapitest checks, in tests, every response a client receives
// against the OpenAPI document the server itself serves at /v1/openapi.
//
//	srv := httptest.NewServer(handler)
//	client := openapitest.Client(t, srv) // srv.Client(), every response checked
//
// A response fails the test when its route is not in the document and it is
// not a 404, when its status or body is not documented for its route, when a
// JSON body's "...At" member is not a UTC time with milliseconds, or when it
// is a 5xx other than 502 (an upstream model failed) and 503 (a request
// timed out), which tests ask for on purpose.
package openapitest

import "bytes"
import "context"
import "encoding/json"
import "errors"
import "io"
import "net/http"
import "net/http/httptest"
import "path"
import "regexp"
import "strings"
import "testing"

import "github.com/getkin/kin-openapi/openapi3"
import "github.com/getkin/kin-openapi/openapi3filter"
import "github.com/getkin/kin-openapi/routers"
import "github.com/getkin/kin-openapi/routers/legacy"

func init() {
	// kin-openapi checks only the formats it is told about.
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
	// Exports are text; kin-openapi knows text/csv but not JSON Lines.
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.PlainBodyDecoder)
}

// ExportTypes are the media types of export bodies, which are not JSON.
var ExportTypes = map[string]bool{"text/csv": true, "application/x-ndjson": true}

// Checker checks responses against one OpenAPI document.
type Checker struct {
	router routers.Router
}

// Load fetches the document the server at baseURL serves, with c, and
// returns its checker.
func Load(tb testing.TB, c *http.Client, baseURL string) *Checker {
	tb.Helper()
	res, err := c.Get(baseURL + "/v1/openapi")
	if err != nil {
		tb.Fatalf("get openapi: %v", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("read openapi: %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		tb.Fatalf("load openapi: %v", err)
	}
	// The document names the default address; a test server has its own, so
	// requests are routed by path alone.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatalf("openapi router: %v", err)
	}
	return &Checker{router: router}
}

// Client makes srv.Client() check every response it receives against the
// document srv serves, and returns it.
func Client(tb testing.TB, srv *httptest.Server) *http.Client {
	tb.Helper()
	client := srv.Client()
	client.Transport = Transport(tb, client.Transport, srv.URL)
	return client
}

// Transport returns base (http.DefaultTransport if nil) with every response
// checked against the document the server at baseURL serves.
func Transport(tb testing.TB, base http.RoundTripper, baseURL string) http.RoundTripper {
	tb.Helper()
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, check: Load(tb, &http.Client{Transport: base}, baseURL), tb: tb}
}

// transport reads each response whole, checks it, and hands the test a
// copy of its body.
type transport struct {
	base  http.RoundTripper
	check *Checker
	tb    testing.TB
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(data))
	t.check.Check(t.tb, req, res.StatusCode, res.Header, data)
	return res, nil
}

// millis is the only timestamp form a response may hold.
var millis = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// Check reports, as errors of tb, every way the response to req (status,
// header, body) departs from the document.
func (c *Checker) Check(tb testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	tb.Helper()
	if status >= 500 && status != http.StatusServiceUnavailable && status != http.StatusBadGateway {
		tb.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, status, body)
	}
	if ct := header.Get("Content-Type"); len(body) > 0 && ExportTypes[strings.SplitN(ct, ";", 2)[0]] {
		// An export: its content is the export tests' to check; the
		// document is checked below.
	} else if len(body) > 0 {
		if !strings.HasPrefix(ct, "application/json") {
			tb.Errorf("%s %s: Content-Type %q", req.Method, req.URL.Path, ct)
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			tb.Errorf("%s %s: body is not JSON: %v: %q", req.Method, req.URL.Path, err, body)
			return
		}
		checkTimestamps(tb, v, "")
	}

	// The server ignores one trailing slash; the document's router is more
	// lenient than that, so a path with more is taken as unknown here.
	routeReq := req.Clone(context.Background())
	if p := routeReq.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
		routeReq.URL.Path = strings.TrimSuffix(p, "/")
	}
	if req.Method == http.MethodHead {
		routeReq.Method = http.MethodGet // HTTP's: a GET's answer without its body
	}
	route, params, err := c.router.FindRoute(routeReq)
	if p := routeReq.URL.Path; path.Clean(p) != p {
		err = errors.New("unclean path")
	}
	if err != nil {
		if status != http.StatusNotFound {
			tb.Errorf("%s %s: no documented route, yet status %d", req.Method, req.URL.Path, status)
		}
		return
	}
	if req.Method == http.MethodHead {
		if len(body) > 0 {
			tb.Errorf("HEAD %s: a body of %d bytes", req.URL.Path, len(body))
		}
		if route.Operation.Responses.Status(status) == nil && route.Operation.Responses.Default() == nil {
			tb.Errorf("HEAD %s: status %d is not documented for GET", req.URL.Path, status)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: routeReq, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		tb.Errorf("%s %s: response %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, status, err, body)
	}
}

func checkTimestamps(tb testing.TB, v any, key string) {
	tb.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			checkTimestamps(tb, e, k)
		}
	case []any:
		for _, e := range v {
			checkTimestamps(tb, e, key)
		}
	case string:
		if strings.HasSuffix(key, "At") && !millis.MatchString(v) {
			tb.Errorf("%s = %q, not a UTC time with milliseconds", key, v)
		}
	}
}
