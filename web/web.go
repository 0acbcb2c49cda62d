// Package web is Strata's browser interface: server-rendered pages over the
// same store calls as the API, under the same rules (internal/rules), with a
// little plain JavaScript. It owns sign-in (a server-side session whose
// random id an HttpOnly, SameSite=Strict cookie holds; never the key), CSRF
// tokens, and the templates and assets, embedded so that the binary needs
// nothing else.
package web

import "context"
import "crypto/hmac"
import "crypto/sha256"
import "crypto/subtle"
import "embed"
import "encoding/base64"
import "errors"
import "html/template"
import "io/fs"
import "log/slog"
import "net/http"
import "net/netip"
import "net/url"
import "strings"
import "time"
import "unicode"
import "unicode/utf8"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/eval"
import "github.com/strata-eval/strata/internal/reqinfo"
import "github.com/strata-eval/strata/internal/rules"

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Server serves the pages.
type Server struct {
	Store  strata.Store
	Runner *eval.Runner // runs evaluators; nil hides the Run button
	Logger *slog.Logger
	// SafeCSV escapes CSV export cells a spreadsheet would run as formulas
	// (importer.ExportOptions), as the API does by default with it.
	SafeCSV bool
	// API is the API server whose rules the pages follow: its body, import,
	// field and time limits, and its per-key limiter, shared, so that a
	// key's requests count once whichever face they come through. Nil: an
	// API server with the default limits.
	API *api.Server
	// SessionTTL is how long a sign-in lasts; 0 means DefaultSessionTTL.
	SessionTTL time.Duration
	// SecureCookies marks the session cookie Secure (sent over HTTPS only)
	// whatever the request: for a server reached through HTTPS only.
	SecureCookies bool
	// TrustedProxies are the addresses of the reverse proxies whose
	// X-Forwarded-Proto is believed: a request they forward as https gets
	// a Secure cookie. A request over TLS always does.
	TrustedProxies []netip.Prefix

	pages  map[string]*template.Template
	routes []Route
}

// Route is a page that needs a session, and whether it needs a key that may
// write.
type Route struct {
	Pattern string // "METHOD /path/{param}", as registered
	Write   bool
}

// Routes lists the pages that need a session, as Handler registered them,
// so that tests can check every one.
func (s *Server) Routes() []Route { return s.routes }

// DefaultSessionTTL is how long a sign-in lasts by default.
const DefaultSessionTTL = 30 * 24 * time.Hour

// cookieName is the session cookie: a random session id, readable by no
// script and sent by no other site.
const cookieName = "strata_session"

// maxSigninBytes bounds the sign-in form: a key and where to go next.
const maxSigninBytes = 64 << 10

// pageSize is the number of items a page shows.
const pageSize = 50

// Handler returns the handler of every page, under "/".
func (s *Server) Handler() http.Handler {
	s.pages = parseTemplates()
	s.routes = nil
	if s.API == nil {
		s.API = &api.Server{Store: s.Store, Logger: s.Logger}
	}
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	// A file that is not there, the folder itself or its path without the
	// slash is a missing page like any other: the styled 404, no redirect.
	mux.Handle("GET /static/", s.styledNotFound(http.StripPrefix("/static/", noListing(http.FileServerFS(static)))))
	mux.Handle("GET /static", s.styledNotFound(http.NotFoundHandler()))
	// The pages declare their icon; a browser that asks for /favicon.ico
	// anyway gets the same one, not a 404 in the log.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { http.ServeFileFS(w, r, static, "icon.svg") })
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
	s.handle(mux, "GET /datasets/{id}/items/{itemId}", false, s.itemPage)
	s.handle(mux, "POST /datasets/{id}/items/{itemId}", true, s.updateItem)
	s.handle(mux, "POST /datasets/{id}/items/{itemId}/delete", true, s.deleteItem)
	s.handle(mux, "POST /datasets/{id}/save", true, s.saveVersion)
	s.handle(mux, "POST /datasets/{id}/discard", true, s.discard)
	s.handle(mux, "POST /datasets/{id}/import", true, s.importFile)
	s.handle(mux, "POST /datasets/{id}/import/preview", true, s.importPreview)
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
	s.handle(mux, "GET /datasets/{id}/evaluators/runs/{runId}", false, s.runPage)
	return securityHeaders(s.errorPages(mux))
}

// errorPages answers a request that no page matches with the styled error
// page, in place of the plain text of Go's mux: 404, or 405 with its Allow
// header kept.
func (s *Server) errorPages(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := &styledErrors{ResponseWriter: w, s: s, r: r}
		if !rules.CleanPath(r.URL.Path) { // a missing page, not a redirect
			e.WriteHeader(http.StatusNotFound)
			return
		}
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(e, r)
	})
}

// styledNotFound serves h with the styled error page in place of the plain
// text of its 404 (a file server's).
func (s *Server) styledNotFound(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&styledErrors{ResponseWriter: w, s: s, r: r}, r)
	})
}

// styledErrors writes the styled error page for the mux's own 404 and 405,
// and drops their plain text; anything else (a redirect to the cleaned
// path) goes through.
type styledErrors struct {
	http.ResponseWriter
	s        *Server
	r        *http.Request
	replaced bool
}

// errorSessionWait bounds the check of the session that an error page of
// the mux makes to show the signed-in header: the page does not wait on
// a slow database for it.
const errorSessionWait = 2 * time.Second

// muxErrors are the messages of the mux's own errors.
var muxErrors = map[int]string{
	http.StatusNotFound:         "There is no page at this address.",
	http.StatusMethodNotAllowed: "This address does not take that request: use the links and forms of the pages.",
}

func (e *styledErrors) WriteHeader(status int) {
	message, ok := muxErrors[status]
	if !ok {
		e.ResponseWriter.WriteHeader(status)
		return
	}
	e.replaced = true
	// The page may hold the session's token, and a file server's 404 is
	// no page a cache may keep (noStore leaves /static/ to the cache).
	e.Header().Set("Cache-Control", "no-store")
	data := map[string]any{"Status": status, "Message": message}
	// Signed in, the page has the header of every page; a session that
	// cannot be checked leaves it out, and the page is the same.
	ctx, cancel := context.WithTimeout(e.r.Context(), errorSessionWait)
	defer cancel()
	if ss, err := e.s.session(e.r.WithContext(ctx)); err == nil {
		data = e.s.data(ss, data)
	}
	e.s.render(e.ResponseWriter, status, "error", data)
}

func (e *styledErrors) Write(b []byte) (int, error) {
	if e.replaced {
		return len(b), nil
	}
	return e.ResponseWriter.Write(b)
}

// securityHeaders keeps the pages out of frames and their scripts to our own.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		noStore(w, r)
		next.ServeHTTP(w, r)
	})
}

// noStore keeps every answer but the static assets out of the browser's
// cache: a signed-in page must not come back from it (the Back button)
// after signing out, nor the sign-in page with its form. An export sets its
// own caching (exportCaching), and an error page is no-store again (fail).
func noStore(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/favicon.ico" {
		w.Header().Set("Cache-Control", "no-store")
	}
}

// session is a signed-in request.
type session struct {
	*http.Request
	principal *strata.Principal
	secret    string
}

// csrf is the token every form of the session carries: an HMAC of a fixed
// label under the session's id, so it needs no more server state and differs
// for every session.
func (ss *session) csrf() string { return ss.mac("strata csrf") }

// mac is an HMAC of a message under the session's id: only this session
// can have made it.
func (ss *session) mac(message string) string {
	m := hmac.New(sha256.New, []byte(ss.secret))
	m.Write([]byte(message))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// notice is the status line a page shows after a form (redirect): only a
// notice signed for this session, so that a link cannot make a page say
// what the server did not.
func (ss *session) notice() string {
	text := ss.FormValue("notice")
	if subtle.ConstantTimeCompare([]byte(ss.FormValue("sig")), []byte(ss.mac(noticeLabel+text))) != 1 {
		return ""
	}
	return text
}

// noticeLabel starts the message of a notice's signature, so that it is no
// other token of the session.
const noticeLabel = "strata notice\x00"

func (ss *session) canWrite() bool { return ss.principal.Role.CanWrite() }

type sessionHandler func(w http.ResponseWriter, ss *session) error

// handle registers a page that needs a session; write pages also need a
// role that may write and a valid CSRF token. Every page runs under the
// API's rules: its request deadline, its per-key limiter, and its body limit
// for forms (an upload has the import's, see importFile).
func (s *Server) handle(mux *http.ServeMux, pattern string, write bool, h sessionHandler) {
	s.routes = append(s.routes, Route{Pattern: pattern, Write: write})
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := rules.WithDeadline(r.Context(), w, s.API.EffectiveLimits().RequestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		// An id names its dataset, item or run in any case, as in the API
		// (ids are UUIDs, stored in lower case).
		for _, name := range []string{"id", "itemId", "runId"} {
			if v := r.PathValue(name); v != "" {
				r.SetPathValue(name, strings.ToLower(v))
			}
		}
		ss, err := s.session(r)
		if rules.TimedOut(ctx, err) {
			http.Error(w, "Request timed out", rules.Status(ctx, err)) // 503, marked a timeout
			return
		} else if err = rules.MarkUnavailable(ctx, s.Store, err); strata.ErrorCode(err) == strata.EUNAVAILABLE {
			// Not signed out: the session could not be checked.
			api.SetRetryAfter(w, err)
			s.render(w, http.StatusServiceUnavailable, "error", map[string]any{"Status": http.StatusServiceUnavailable, "Message": strata.ErrorMessage(err)})
			return
		} else if err != nil {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(afterSignin(r)), http.StatusSeeOther)
			return
		}
		done, err := s.API.Admit(ctx, ss.principal.KeyID, r.Method)
		if err != nil {
			s.fail(w, ss, err)
			return
		}
		defer done()
		if err := rules.CheckQueryText(r); err != nil { // as the API
			s.fail(w, ss, err)
			return
		}
		release, err := s.API.AdmitRead(r)
		if err != nil {
			s.fail(w, ss, err)
			return
		}
		defer release()
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

// session reads the cookie and checks the session it names, live: not
// ended, not expired, its key not revoked.
func (s *Server) session(r *http.Request) (*session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return nil, errors.New("no session")
	}
	p, err := s.Store.AuthenticateSession(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	reqinfo.SetKeyID(r.Context(), p.KeyID) // for the access log
	return &session{Request: r, principal: p, secret: c.Value}, nil
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "signin", map[string]any{"Next": safeNext(r.FormValue("next")), "Error": ""})
}

// signin opens a session for a valid key. It is refused when another site
// sends it (login CSRF: signing a victim into the attacker's project), as
// the browser tells by Sec-Fetch-Site or Origin.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	if err := http.NewCrossOriginProtection().Check(r); err != nil {
		s.render(w, http.StatusForbidden, "signin", map[string]any{"Next": "", "Error": "Sign in from this site's own sign-in page."})
		return
	}
	ctx, cancel := rules.WithDeadline(r.Context(), w, s.API.EffectiveLimits().RequestTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	r.Body = http.MaxBytesReader(w, r.Body, maxSigninBytes)
	if err := r.ParseForm(); err != nil {
		err = rules.BodyError(err)
		s.render(w, rules.Status(ctx, err), "signin", map[string]any{"Next": "", "Error": strata.ErrorMessage(err)})
		return
	}
	key := strings.TrimSpace(r.PostFormValue("key"))
	next := safeNext(r.FormValue("next"))
	id, _, err := s.Store.CreateSession(ctx, key, s.sessionTTL())
	if strata.ErrorCode(err) == strata.EUNAUTHORIZED {
		s.render(w, http.StatusUnauthorized, "signin", map[string]any{"Next": next, "Error": "That key is not valid."})
		return
	} else if err != nil {
		err = rules.MarkUnavailable(ctx, s.Store, err)
		status := rules.Status(ctx, err)
		if status == http.StatusInternalServerError {
			s.logger().Error("sign in", "err", err)
		}
		api.SetRetryAfter(w, err)
		s.render(w, status, "signin", map[string]any{"Next": next, "Error": "Signing in failed: try again."})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: s.secure(r), MaxAge: int(s.sessionTTL().Seconds()),
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signout ends the session on the server, so that the cookie is worth
// nothing wherever a copy of it is, and clears it in the browser.
func (s *Server) signout(w http.ResponseWriter, ss *session) error {
	if err := s.Store.EndSession(ss.Context(), ss.secret); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: s.secure(ss.Request), MaxAge: -1})
	http.Redirect(w, ss.Request, "/signin", http.StatusSeeOther)
	return nil
}

func (s *Server) sessionTTL() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return DefaultSessionTTL
}

// secure reports whether the session cookie is to be Secure: the request
// came over TLS, or through a trusted proxy that says it did (the last
// X-Forwarded-Proto value, the one the proxy nearest to us set), or the
// server is told it is reached through HTTPS only.
func (s *Server) secure(r *http.Request) bool {
	if s.SecureCookies || r.TLS != nil {
		return true
	}
	if len(s.TrustedProxies) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range s.TrustedProxies {
		if p.Contains(addr) {
			protos := strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")
			return strings.EqualFold(strings.TrimSpace(protos[len(protos)-1]), "https")
		}
	}
	return false
}

// afterSignin is where a request that needs a session goes once signed in:
// itself if the browser can ask for it again (a GET), else the page its
// form was on, as near as a path tells: a POST's path is no page to GET.
func afterSignin(r *http.Request) string {
	switch {
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		return r.URL.RequestURI()
	case r.PathValue("id") != "":
		return "/datasets/" + url.PathEscape(r.PathValue("id"))
	}
	return "/datasets"
}

// safeNext keeps a redirect after sign-in on this site: it takes only a
// path that a browser reads as a path of this site. A browser drops tabs
// and newlines anywhere in a URL and reads a backslash as a slash, so
// "/\t/evil.com" or "/\\evil.com" would lead off the site as "//evil.com"
// does: any control character or backslash is refused, and the path must
// start with exactly one slash.
func safeNext(next string) string {
	const home = "/datasets"
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return home
	}
	for _, c := range next {
		if unicode.IsControl(c) || c == utf8.RuneError {
			return home
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	return next
}

// fail shows an error page with the status and message the API gives the
// same error (rules.Status).
func (s *Server) fail(w http.ResponseWriter, ss *session, err error) {
	ctx := ss.Context()
	err = rules.MarkUnavailable(ctx, s.Store, err)
	status := rules.Status(ctx, err)
	message := strata.ErrorMessage(err)
	switch verr, ok := errors.AsType[*strata.ValidationError](err); {
	case ok:
		message = verr.Error()
	case rules.TimedOut(ctx, err):
		message = "Request timed out"
	case rules.Stopping(ctx):
		message = rules.StoppingMessage
	case status == http.StatusInternalServerError:
		if ctx.Err() == nil { // else the browser left, and the store only noticed
			s.logger().ErrorContext(ctx, "page failed", "path", ss.URL.Path, "err", err)
		}
	}
	api.SetRetryAfter(w, err)
	w.Header().Set("Cache-Control", "no-store") // over an export's
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

// redirect sends the browser back to a page after a form, with a notice
// signed for the session (session.notice) added to the page's query.
func redirect(w http.ResponseWriter, ss *session, to, notice string) error {
	if notice != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "notice=" + url.QueryEscape(notice) + "&sig=" + ss.mac(noticeLabel+notice)
	}
	http.Redirect(w, ss.Request, to, http.StatusSeeOther)
	return nil
}
