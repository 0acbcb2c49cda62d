// Package web is Strata's browser interface: server-rendered pages over the
// same store calls as the API, with a little plain JavaScript. It owns the
// session (an HttpOnly, SameSite=Strict cookie holding the API key the user
// signed in with), CSRF tokens, and the templates and assets, embedded so that
// the binary needs nothing else.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/api"
	"github.com/strata-eval/strata/eval"
	"github.com/strata-eval/strata/internal/rules"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Server serves the pages.
type Server struct {
	Store  strata.Store
	Runner *eval.Runner // runs evaluators; nil hides the Run button
	Logger *slog.Logger
	// API is the API server whose rules the pages follow: its body, import,
	// field and time limits, and its per-key limiter, shared, so that a
	// key's requests count once whichever face they come through. Nil: an
	// API server with the default limits.
	API *api.Server

	pages map[string]*template.Template
}

// cookieName is the session cookie: the API key itself, readable by no
// script and sent by no other site.
const cookieName = "strata_session"

// pageSize is the number of items a page shows.
const pageSize = 50

// Handler returns the handler of every page, under "/".
func (s *Server) Handler() http.Handler {
	s.pages = parseTemplates()
	if s.API == nil {
		s.API = &api.Server{Store: s.Store, Logger: s.Logger}
	}
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/datasets", http.StatusSeeOther) })
	mux.HandleFunc("GET /signin", s.signinPage)
	mux.HandleFunc("POST /signin", s.signin)
	s.handle(mux, "POST /signout", false, s.signout)
	s.handle(mux, "GET /datasets", false, s.datasetsPage)
	s.handle(mux, "POST /datasets", true, s.createDataset)
	s.handle(mux, "GET /datasets/{id}", false, s.datasetPage)
	s.handle(mux, "POST /datasets/{id}/rename", true, s.renameDataset)
	s.handle(mux, "POST /datasets/{id}/duplicate", true, s.duplicateDataset)
	s.handle(mux, "POST /datasets/{id}/delete", true, s.deleteDataset)
	s.handle(mux, "POST /datasets/{id}/items", true, s.createItem)
	s.handle(mux, "POST /datasets/{id}/items/{itemId}", true, s.updateItem)
	s.handle(mux, "POST /datasets/{id}/items/{itemId}/delete", true, s.deleteItem)
	s.handle(mux, "POST /datasets/{id}/save", true, s.saveVersion)
	s.handle(mux, "POST /datasets/{id}/import", true, s.importFile)
	s.handle(mux, "GET /datasets/{id}/versions", false, s.versionsPage)
	s.handle(mux, "GET /datasets/{id}/versions/{n}", false, s.versionPage)
	s.handle(mux, "POST /datasets/{id}/versions/{n}/restore", true, s.restore)
	s.handle(mux, "GET /datasets/{id}/versions/{n}/export", false, s.export)
	s.handle(mux, "POST /datasets/{id}/versions/{n}/tags", true, s.tag)
	s.handle(mux, "POST /datasets/{id}/versions/{n}/tags/{tag}/delete", true, s.untag)
	s.handle(mux, "GET /datasets/{id}/compare", false, s.comparePage)
	s.handle(mux, "GET /datasets/{id}/evaluators", false, s.evaluatorsPage)
	s.handle(mux, "POST /datasets/{id}/evaluators", true, s.attachEvaluator)
	s.handle(mux, "POST /datasets/{id}/evaluators/{slot}/detach", true, s.detachEvaluator)
	s.handle(mux, "POST /datasets/{id}/evaluators/run", true, s.runEvaluators)
	return securityHeaders(mux)
}

// securityHeaders keeps the pages out of frames and their scripts to our own.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// session is a signed-in request.
type session struct {
	*http.Request
	principal *strata.Principal
	secret    string
}

// csrf is the token every form of the session carries: an HMAC of a fixed
// label under the session's key, so it needs no server state and differs for
// every key.
func (ss *session) csrf() string {
	m := hmac.New(sha256.New, []byte(ss.secret))
	m.Write([]byte("strata csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (ss *session) canWrite() bool { return ss.principal.Role.CanWrite() }

type sessionHandler func(w http.ResponseWriter, ss *session) error

// handle registers a page that needs a session; write pages also need a
// role that may write and a valid CSRF token. Every page runs under the
// API's rules: its request deadline, its per-key limiter, and its body limit
// for forms (an upload has the import's, see importFile).
func (s *Server) handle(mux *http.ServeMux, pattern string, write bool, h sessionHandler) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		ss, err := s.session(r)
		if err != nil {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.API.EffectiveLimits().RequestTimeout)
		defer cancel()
		ss.Request = r.WithContext(ctx)
		done, err := s.API.Admit(ss.principal.KeyID)
		if err != nil {
			s.fail(w, ss, err)
			return
		}
		defer done()
		if r.Method == http.MethodPost {
			if err := s.checkForm(w, ss); err != nil {
				s.fail(w, ss, err)
				return
			}
		}
		if write && !ss.canWrite() {
			s.fail(w, ss, strata.Errorf(strata.EFORBIDDEN, "Your key may only read."))
			return
		}
		if err := h(w, ss); err != nil {
			if ab, ok := errors.AsType[*abortError](err); ok {
				// The download has started: all that is left is to make
				// sure the browser does not take it for complete.
				if ctx.Err() == nil {
					s.logger().Error("page aborted", "path", r.URL.Path, "err", ab.err)
				}
				panic(http.ErrAbortHandler)
			}
			s.fail(w, ss, err)
		}
	})
}

// checkForm reads a form's body, within the API's body limit and the
// request's deadline, and checks its CSRF token. A multipart upload is read
// by its handler, so its token comes in the query string: reading a form
// field first would read the whole file.
func (s *Server) checkForm(w http.ResponseWriter, ss *session) error {
	if deadline, ok := ss.Context().Deadline(); ok {
		http.NewResponseController(w).SetReadDeadline(deadline)
	}
	token := ss.URL.Query().Get("csrf")
	if !strings.HasPrefix(ss.Header.Get("Content-Type"), "multipart/") {
		ss.Body = http.MaxBytesReader(w, ss.Body, s.API.BodyLimit())
		if err := ss.ParseForm(); err != nil {
			return rules.BodyError(err)
		}
		token = ss.PostFormValue("csrf")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(ss.csrf())) != 1 {
		return strata.Errorf(strata.EFORBIDDEN, "The form has expired: reload the page and try again.")
	}
	return nil
}

// abortError is an error met after a response started (a download): the
// response can only be cut short.
type abortError struct{ err error }

func (e *abortError) Error() string { return e.err.Error() }
func (e *abortError) Unwrap() error { return e.err }

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// session reads the cookie and checks the key it holds, live.
func (s *Server) session(r *http.Request) (*session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return nil, errors.New("no session")
	}
	p, err := s.Store.Authenticate(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	return &session{Request: r, principal: p, secret: c.Value}, nil
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "signin", map[string]any{"Next": safeNext(r.FormValue("next")), "Error": ""})
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimSpace(r.FormValue("key"))
	next := safeNext(r.FormValue("next"))
	if _, err := s.Store.Authenticate(r.Context(), key); err != nil {
		s.render(w, http.StatusUnauthorized, "signin", map[string]any{"Next": next, "Error": "That key is not valid."})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: key, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, MaxAge: int((30 * 24 * time.Hour).Seconds()),
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) signout(w http.ResponseWriter, ss *session) error {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, ss.Request, "/signin", http.StatusSeeOther)
	return nil
}

// safeNext keeps a redirect after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/datasets"
	}
	return next
}

// fail shows an error page with the status and message the API gives the
// same error (rules.Status).
func (s *Server) fail(w http.ResponseWriter, ss *session, err error) {
	ctx := ss.Context()
	status := rules.Status(ctx, err)
	message := strata.ErrorMessage(err)
	switch verr, ok := errors.AsType[*strata.ValidationError](err); {
	case ok:
		message = verr.Error()
	case rules.TimedOut(ctx, err):
		message = "Request timed out"
	case status == http.StatusInternalServerError:
		if ctx.Err() == nil { // else the browser left, and the store only noticed
			s.logger().Error("page failed", "path", ss.URL.Path, "err", err)
		}
	}
	api.SetRetryAfter(w, err)
	s.render(w, status, "error", s.data(ss, map[string]any{"Status": status, "Message": message}))
}

// data adds what every page shows to a page's own data.
func (s *Server) data(ss *session, page map[string]any) map[string]any {
	page["CSRF"] = ss.csrf()
	page["CanWrite"] = ss.canWrite()
	page["Role"] = ss.principal.Role
	page["Path"] = ss.URL.Path
	return page
}

// redirect sends the browser back to a page after a form, with a notice.
func redirect(w http.ResponseWriter, ss *session, to, notice string) error {
	if notice != "" {
		to += "?notice=" + url.QueryEscape(notice)
	}
	http.Redirect(w, ss.Request, to, http.StatusSeeOther)
	return nil
}
