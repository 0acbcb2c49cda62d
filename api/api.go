// Package api owns Strata's HTTP interface: the routes of Lunary's Datasets v2
// API, authentication by API key, the mapping of domain errors to statuses and
// Lunary-compatible bodies, request validation with zod's wording, and the
// OpenAPI document that describes it all. Handlers decode and validate, call
// the strata.Store, and encode; they hold no state and build no SQL.
package api

import "context"
import "errors"
import "fmt"
import "log/slog"
import "net/http"
import "net/url"
import "path"
import "strings"
import "time"

import "github.com/strata-eval/strata/internal/rules"
import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/eval"
import "github.com/strata-eval/strata/internal/reqinfo"

// DefaultMaxBodyBytes is the request body limit when Server.MaxBodyBytes is 0:
// Lunary's body parser accepts 20 MB.
const DefaultMaxBodyBytes = 20 << 20

// Server serves the HTTP API over a Store.
type Server struct {
	Store        strata.Store
	Logger       *slog.Logger // internal errors are logged here, never shown to clients
	MaxBodyBytes int64        // 0 means DefaultMaxBodyBytes
	Limits       Limits
	LLM          *eval.Client // LLM calls of evaluators and generate; nil: none configured
	Runner       *eval.Runner // evaluator runs; nil: Handler makes one, which Close stops
	// Slow bodies and CSV cells (slowbody.go, export.go).
	BodyTimeout time.Duration // time a body's first bytes may take; 0: DefaultBodyTimeout
	MinBodyRate int64         // bytes per second a body must keep up after that; 0: default, -1: none
	SafeCSV     bool          // exports escape CSV cells a spreadsheet would read as a formula
	// CacheBytes bounds the cache of encoded reads of versions
	// (pagecache.go); 0: DefaultCacheBytes, negative: no cache.
	CacheBytes int64
	// ReadSlice is how long a read keeps its read slot at most (reads.go);
	// 0: DefaultReadSlice.
	ReadSlice time.Duration

	routes   []Route
	keyLimit keyLimiter
	reads    readSlots
	pages    *pageCache
	// unreleased holds the idempotency keys this server failed to give
	// back (idempotency.go).
	unreleased unreleasedKeys
	// ownRunner is the Runner that Handler made, the server's to close.
	ownRunner *eval.Runner
}

// Route is a route that needs a key, and whether it needs one that may write.
type Route struct {
	Pattern string // "METHOD /path/{param}", as registered on the mux
	Write   bool
}

// Routes lists the routes that need a key, as Handler registered them, so
// that tests can check every one.
func (s *Server) Routes() []Route { return s.routes }

// access is what a route requires of the caller's role.
type access int

const (
	anyRole   access = iota // reads
	writeRole               // changes: a role that may write datasets
	// dryWriteRole changes, except with dryRun=true, which writes nothing
	// and is a read: a viewer may preview an import or a sync (a CI gate
	// with a read-only key).
	dryWriteRole
)

// request is an authenticated request with its parsed body.
type request struct {
	*http.Request
	principal *strata.Principal
	body      jsonBody
}

func (r *request) ctx() context.Context { return r.Context() }

// actor is who the request acts as. Its If-Match is in its context
// (conditional.go).
func (r *request) actor() strata.Actor { return r.principal.Actor() }

// handlerFunc handles an authenticated request. An error it returns is
// written by the caller, unless the response has already started.
type handlerFunc func(w http.ResponseWriter, r *request) error

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes = nil
	s.initRunner()
	s.pages = newPageCache(s.CacheBytes)
	handle := func(pattern string, a access, h handlerFunc) {
		mux.Handle(pattern, s.endpoint(a, h))
		s.routes = append(s.routes, Route{Pattern: pattern, Write: a != anyRole})
	}
	const p = "/v1/datasets-v2"
	handle("GET "+p, anyRole, s.listDatasets)
	handle("POST "+p, writeRole, s.createDataset)
	handle("GET "+p+"/{datasetId}", anyRole, s.getDataset)
	handle("PATCH "+p+"/{datasetId}", writeRole, s.updateDataset)
	handle("DELETE "+p+"/{datasetId}", writeRole, s.deleteDataset)
	handle("POST "+p+"/{datasetId}/import", dryWriteRole, s.importItems)
	handle("POST "+p+"/{datasetId}/duplicate", writeRole, s.duplicateDataset)
	handle("GET "+p+"/{datasetId}/versions", anyRole, s.listVersions)
	handle("POST "+p+"/{datasetId}/versions", writeRole, s.createVersion)
	handle("GET "+p+"/{datasetId}/versions/{versionId}", anyRole, s.getVersion)
	handle("POST "+p+"/{datasetId}/versions/{versionId}/restore", writeRole, s.restoreVersion)
	handle("GET "+p+"/{datasetId}/items", anyRole, s.listItems)
	handle("POST "+p+"/{datasetId}/items", writeRole, s.createItem)
	handle("GET "+p+"/{datasetId}/items/{itemId}", anyRole, s.getItem)
	handle("PATCH "+p+"/{datasetId}/items/{itemId}", writeRole, s.updateItem)
	handle("DELETE "+p+"/{datasetId}/items/{itemId}", writeRole, s.deleteItem)
	// Evaluators: evaluators.go.
	handle("POST "+p+"/{datasetId}/evaluators", writeRole, s.attachEvaluator)
	handle("DELETE "+p+"/{datasetId}/evaluators/{slot}", writeRole, s.detachEvaluator)
	handle("POST "+p+"/{datasetId}/evaluators/run", writeRole, s.runEvaluators)
	handle("GET "+p+"/{datasetId}/evaluator-runs", anyRole, s.listRuns)
	handle("GET "+p+"/{datasetId}/evaluator-runs/{runId}", anyRole, s.getRun)
	handle("PATCH "+p+"/{datasetId}/evaluator-runs/{runId}", writeRole, s.renameRun)
	handle("POST "+p+"/{datasetId}/items/{itemId}/generate", writeRole, s.generate)
	handle("GET /v1/evaluators", anyRole, s.listEvaluators)
	handle("POST /v1/evaluators", writeRole, s.createEvaluator)
	handle("GET /v1/evaluators/{id}", anyRole, s.getEvaluator)
	handle("PATCH /v1/evaluators/{id}", writeRole, s.updateEvaluator)
	handle("DELETE /v1/evaluators/{id}", writeRole, s.deleteEvaluator)
	// Strata's extensions: refs.go, paging.go, diff.go, export.go.
	handle("GET "+p+"/{datasetId}/versions/{versionId}/items", anyRole, s.listVersionItems)
	handle("GET "+p+"/{datasetId}/versions/{versionId}/export", anyRole, s.exportVersion)
	handle("PUT "+p+"/{datasetId}/versions/{versionId}/tags/{tag}", writeRole, s.tagVersion)
	handle("DELETE "+p+"/{datasetId}/versions/{versionId}/tags/{tag}", writeRole, s.untagVersion)
	handle("GET "+p+"/{datasetId}/tags", anyRole, s.listTags)
	handle("DELETE "+p+"/{datasetId}/tags/{tag}", writeRole, s.deleteTag)
	handle("GET "+p+"/{datasetId}/diff", anyRole, s.diffVersions)
	handle("GET "+p+"/{datasetId}/items/{itemId}/history", anyRole, s.itemHistory)
	// Lunary's SDK read path: sdk.go.
	handle("GET /v1/datasets/{slug}", anyRole, s.sdkDataset)
	handle(syncPattern, dryWriteRole, s.syncItems) // sync.go
	mux.HandleFunc("GET /v1/openapi", serveOpenAPI)
	mux.HandleFunc("GET /healthz", serveHealth)
	mux.HandleFunc("GET /readyz", s.serveReady)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Like koa-router, a trailing slash is optional; unlike ServeMux, an
		// unclean path is not redirected but unknown.
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			// A copy, as http.StripPrefix makes: a handler leaves its
			// request as it was given.
			r2 := new(http.Request)
			*r2 = *r
			r2.URL = new(url.URL)
			*r2.URL = *r.URL
			r2.URL.Path = p[:len(p)-1]
			r2.URL.RawPath = strings.TrimSuffix(r.URL.RawPath, "/")
			r = r2
		}
		// A path no pattern matches, or matched with another method, is 404:
		// Lunary answers neither 405 nor a redirect.
		_, pattern := mux.Handler(r)
		if path.Clean(r.URL.Path) != r.URL.Path {
			pattern = ""
		}
		// The access log and metrics name the route by its pattern.
		reqinfo.SetRoute(r.Context(), pattern)
		if pattern == "" {
			writeJSON(w, http.StatusNotFound, messageBody{Message: "Not Found"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// endpoint wraps h with what every dataset route does first, in Lunary's
// order: authenticate (401), check the role (403), read the body (413, 400).
// Path, query and body validation follow in h.
func (s *Server) endpoint(a access, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(hw http.ResponseWriter, hr *http.Request) {
		cond := &strata.Condition{IfMatch: hr.Header.Get("If-Match")}
		ew := &etagWriter{ResponseWriter: hw, cond: cond} // conditional.go
		var rw http.ResponseWriter = ew
		if hr.Method == http.MethodHead {
			rw = rules.HeadWriter(ew)
		}
		w := &responseWriter{ResponseWriter: rw}
		defer s.recoverPanic(w, hr)
		l := s.limits()
		ctx, cancel := rules.WithDeadline(strata.WithCondition(hr.Context(), cond), w, l.RequestTimeout)
		defer cancel()
		hr = hr.WithContext(ctx)
		r := &request{Request: hr}
		err := s.authenticate(r, a)
		if err == nil {
			var done func()
			if done, err = s.keyLimit.admit(ctx, r.principal.KeyID, hr.Method, l); err == nil {
				defer done()
			}
		}
		if err == nil {
			err = rules.CheckQueryText(hr) // text.go
		}
		if err == nil {
			s.limitBodyRate(w, hr)
			err = decodeBody(hr) // encoding.go
		}
		if err != nil {
			closeUnreadBody(w, hr) // slowbody.go
		}
		if err == nil && (hr.Method == http.MethodPost || hr.Method == http.MethodPatch || hr.Method == http.MethodPut) && !streamsBody(hr) {
			r.body, err = s.readBody(w, hr)
		}
		if err == nil {
			var release func()
			if release, err = s.AdmitRead(hr); err == nil { // reads.go
				defer release()
			}
		}
		if err == nil {
			err = s.once(w, r, h) // idempotency.go
		}
		if err == nil {
			return
		}
		if w.started && errors.Is(err, rules.ErrHeadAnswered) {
			return
		}
		if w.started {
			// The status is sent and part of a stream with it: all that is
			// left is to make sure the client does not take it for complete.
			if hr.Context().Err() == nil { // else the client left: nothing to report
				s.logger().ErrorContext(hr.Context(), "response aborted", "method", hr.Method, "path", hr.URL.Path, "err", err)
			}
			panic(http.ErrAbortHandler)
		}
		s.writeError(w, hr, err)
	})
}

// recoverPanic turns a handler's panic into a 500, when nothing was sent yet.
func (s *Server) recoverPanic(w *responseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	s.logger().ErrorContext(r.Context(), "handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
	if w.started {
		panic(http.ErrAbortHandler)
	}
	s.writeError(w, r, fmt.Errorf("panic: %v", v))
}

// authenticate finds the caller's key, in Lunary's places, and checks that its
// role allows a.
func (s *Server) authenticate(r *request, a access) error {
	secret := bearerToken(r.Header.Get("Authorization"))
	if secret == "" {
		secret = r.Header.Get("X-API-Key")
	}
	if secret == "" {
		return errMissingKey
	}
	p, err := s.Store.Authenticate(r.ctx(), secret)
	if err != nil {
		return err
	}
	reqinfo.SetKeyID(r.ctx(), p.KeyID) // for the access log
	writes := a == writeRole || (a == dryWriteRole && !isTrue(r.URL.Query().Get("dryRun")))
	if !p.Role.Valid() || (writes && !p.Role.CanWrite()) {
		return errForbidden
	}
	r.principal = p
	return nil
}

// bearerToken returns the second space-separated token of an Authorization
// header, as Lunary reads it: the scheme word is not checked.
func bearerToken(h string) string {
	if _, rest, ok := strings.Cut(h, " "); ok {
		token, _, _ := strings.Cut(rest, " ")
		return token
	}
	return ""
}

var (
	errMissingKey = &strata.Error{Code: strata.EUNAUTHORIZED, Message: "Missing API key"}
	errForbidden  = &strata.Error{Code: strata.EFORBIDDEN, Message: "You don't have access to this resource"}
)

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// limits returns the server's limits, defaults filled in.
func (s *Server) limits() Limits { return s.Limits.withDefaults() }

func (s *Server) maxBodyBytes() int64 {
	if s.MaxBodyBytes > 0 {
		return s.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// responseWriter records whether the response has started, so that an error
// met while streaming is not written into the middle of a body.
type responseWriter struct {
	http.ResponseWriter
	started bool
}

func (w *responseWriter) WriteHeader(status int) {
	w.started = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's Flush.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serveReady answers whether the server can serve requests now: its
// database answers. A load balancer sends traffic only to ready servers.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.logger().WarnContext(r.Context(), "not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, messageBody{Message: "The database does not answer"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// serveHealth answers that the process serves requests. It touches no
// database: readiness is a separate question.
func serveHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
