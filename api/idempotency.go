package api

import "context"
import "crypto/sha256"
import "encoding/json"
import "errors"
import "hash"
import "io"
import "mime"
import "net/http"
import "sort"
import "sync"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/rules"

// Safe retries: a POST with an Idempotency-Key header is applied at most once
// per project and key (strata.IdempotencyStore). The key is reserved in the
// store before the handler runs, so two concurrent requests with one key
// cannot both apply; the first response (status, body, Content-Type and
// ETag) is then kept for 24 hours and sent again, with Idempotent-Replayed:
// true, to a retry of the same request. The same key with another request
// (method, path, query or JSON body) is 422. A request that fails with a 5xx
// before any of its writes committed gives its key back for a retry; each
// write marks the key applied in its own transaction, so that a request
// whose response could not be saved (its server died after the commit) is
// answered 409, applied, rather than applied again.

// idempotencyHeader names the header; replayedHeader marks a replay.
const (
	idempotencyHeader = "Idempotency-Key"
	replayedHeader    = "Idempotent-Replayed"
)

// once runs h, applying an Idempotency-Key if the request is a POST (or a
// sync, a PUT that is not idempotent by itself: a retry after a newer push
// would undo it) with one.
func (s *Server) once(w http.ResponseWriter, r *request, h handlerFunc) (err error) {
	keys, sent := r.Header[idempotencyHeader]
	if (r.Method != http.MethodPost && r.Pattern != syncPattern) || !sent {
		return h(w, r)
	}
	// An empty key is a mistake, not "no key": the write would run with
	// no protection from a retry.
	key := keys[0]
	if len(keys) > 1 {
		return errIdempotencyKeyTwice
	}
	if !validIdempotencyKey(key) {
		return strata.ErrIdempotencyKeyInvalid
	}
	project := r.principal.ProjectID
	lease := s.limits().RequestTimeout + time.Minute // the request ends before its lease
	fp := fingerprint(r)
	var body *hashedBody
	if streamsBody(r.Request) {
		// The body is read as the handler goes: the key is reserved for
		// the rest of the request first, and the body's hash joins the
		// fingerprint once it is known.
		body = &hashedBody{ReadCloser: r.Body, hash: sha256.New()}
		r.Body = body
	}
	if err := s.releaseAgain(r.ctx(), project, key); err != nil {
		return err
	}
	saved, err := s.Store.ReserveIdempotencyKey(r.ctx(), project, key, fp, lease)
	if body != nil && errors.Is(err, strata.ErrIdempotencyKeyReused) {
		// A completed streamed request saved its whole fingerprint: read
		// this body to compare.
		full, ferr := body.fingerprint(w, r, fp, s.limits().MaxImportBytes)
		if ferr != nil {
			return ferr
		}
		saved, err = s.Store.ReserveIdempotencyKey(r.ctx(), project, key, full, lease)
		if err == nil && saved == nil {
			// Expired in between, and this body is spent: the retry of a
			// retry will run it.
			if err := s.Store.ReleaseIdempotencyKey(context.WithoutCancel(r.ctx()), project, key); err != nil {
				return err
			}
			return strata.ErrIdempotencyKeyInFlight
		}
	}
	switch {
	case errors.Is(err, strata.ErrIdempotencyKeyReused):
		return writeJSON(w, http.StatusUnprocessableEntity, errorBody{Error: "Error", Message: strata.ErrorMessage(err)})
	case err != nil:
		return err
	case saved != nil && saved.Truncated:
		return strata.ErrIdempotentNotKept
	case saved != nil:
		for k, v := range saved.Header {
			w.Header().Set(k, v)
		}
		w.Header().Set(replayedHeader, "true")
		w.WriteHeader(saved.Status)
		_, err := w.Write(saved.Body)
		return err
	}

	// The key is ours. Whatever happens next, the store must hear of it,
	// even if the client has gone.
	ctx := context.WithoutCancel(r.ctx())
	rec := &recorder{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			s.settle(ctx, project, key, rec, true, nil)
			panic(v)
		}
	}()
	// Each write of the handler marks the key applied as it commits: a
	// retry after a crash before settle is not applied again.
	keyed := *r
	keyed.Request = r.Request.WithContext(strata.WithIdempotencyKey(r.ctx(), project, key))
	err = h(rec, &keyed)
	if err != nil && !rec.started() {
		s.writeError(rec, r.Request, err)
		err = nil
	}
	var full []byte
	if body != nil && rec.started() && rec.status < 500 {
		// What the handler left of the body counts too, so that a retry
		// of the same file finds the same fingerprint.
		if full, err = body.fingerprint(w, r, fp, s.limits().MaxImportBytes); err != nil {
			full = body.incomplete(fp)
			err = nil
		}
	}
	s.settle(ctx, project, key, rec, err != nil, full)
	return err
}

// hashedBody hashes a streamed body as it is read.
type hashedBody struct {
	io.ReadCloser
	hash hash.Hash
	n    int64
}

func (b *hashedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.hash.Write(p[:n])
	b.n += int64(n)
	return n, err
}

// fingerprint reads the rest of the body, up to max bytes in all and within
// the request's deadline, and returns the request's fingerprint fp with the
// body's hash.
func (b *hashedBody) fingerprint(w http.ResponseWriter, r *request, fp []byte, max int64) ([]byte, error) {
	if deadline, ok := r.Context().Deadline(); ok {
		http.NewResponseController(w).SetReadDeadline(deadline)
	}
	if _, err := io.Copy(io.Discard, io.LimitReader(b, max+1-b.n)); err != nil {
		return nil, rules.BodyError(err)
	}
	if b.n > max {
		return nil, errBodyTooLarge
	}
	return b.sum(fp, "body"), nil
}

// incomplete is the fingerprint of a body that could not be read to its
// end: the same request, failing the same way, finds it again.
func (b *hashedBody) incomplete(fp []byte) []byte { return b.sum(fp, "incomplete") }

func (b *hashedBody) sum(fp []byte, kind string) []byte {
	h := sha256.New()
	h.Write(fp)
	h.Write([]byte(kind))
	h.Write(b.hash.Sum(nil))
	return h.Sum(nil)
}

// settle saves the response of a key's request, or releases the key when
// the request failed or its client left (499: an answer no one received).
// A release leaves a key whose write committed marked applied.
func (s *Server) settle(ctx context.Context, project, key string, rec *recorder, broken bool, fingerprint []byte) {
	var err error
	if !rec.started() || rec.status >= 500 || rec.status == rules.StatusClientClosed {
		if err = s.Store.ReleaseIdempotencyKey(ctx, project, key); err != nil {
			// Most likely the database is down: the next request with
			// the key gives it back first (releaseAgain).
			s.unreleased.add(project, key, time.Now().Add(s.limits().RequestTimeout+time.Minute))
		}
	} else {
		res := &strata.SavedResponse{Status: rec.status, Header: map[string]string{}, Body: rec.body, Truncated: broken || rec.overflow,
			Fingerprint: fingerprint}
		for _, h := range []string{"Content-Type", "ETag"} {
			if v := rec.Header().Get(h); v != "" {
				res.Header[h] = v
			}
		}
		err = s.Store.SaveIdempotentResponse(ctx, project, key, res)
	}
	if err != nil {
		s.logger().ErrorContext(ctx, "settle idempotency key", "err", err)
	}
}

// releaseAgain gives back a key whose request this server failed to give
// back (a 5xx while the database was out of reach): its retry is not
// answered 409, in progress, until the key's lease runs out.
func (s *Server) releaseAgain(ctx context.Context, project, key string) error {
	if !s.unreleased.has(project, key) {
		return nil
	}
	if err := s.Store.ReleaseIdempotencyKey(ctx, project, key); err != nil {
		return err
	}
	s.unreleased.remove(project, key)
	return nil
}

// maxUnreleased bounds the keys a server remembers to give back; past it,
// a key is freed by the end of its lease alone.
const maxUnreleased = 10_000

// unreleasedKeys are keys to give back, each until its lease ends.
type unreleasedKeys struct {
	mu sync.Mutex
	m  map[[2]string]time.Time
}

func (u *unreleasedKeys) add(project, key string, until time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = map[[2]string]time.Time{}
	}
	if len(u.m) >= maxUnreleased {
		now := time.Now()
		for k, t := range u.m {
			if now.After(t) {
				delete(u.m, k)
			}
		}
		if len(u.m) >= maxUnreleased {
			return
		}
	}
	u.m[[2]string{project, key}] = until
}

func (u *unreleasedKeys) has(project, key string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	k := [2]string{project, key}
	until, ok := u.m[k]
	if ok && !time.Now().Before(until) {
		delete(u.m, k) // its lease has freed it
		return false
	}
	return ok
}

func (u *unreleasedKeys) remove(project, key string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.m, [2]string{project, key})
}

// errIdempotencyKeyTwice is a request with two Idempotency-Key headers:
// which one the client meant is a guess.
var errIdempotencyKeyTwice = strata.Errorf(strata.EINVALID, "Idempotency-Key is given twice: send it once")

// validIdempotencyKey accepts 1 to 255 printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > strata.MaxIdempotencyKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// fingerprint identifies a request: its method, path, query, media type and
// JSON body, the body's members sorted and each compacted, so that two
// encodings of one object are one request. A streamed body is added once
// read (hashedBody).
func fingerprint(r *request) []byte {
	h := sha256.New()
	write := func(s string) {
		var n [8]byte
		for i, l := 0, len(s); i < 8; i++ {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(s))
	}
	write(r.Method)
	write(r.URL.EscapedPath())
	write(r.URL.RawQuery)
	// Every JSON type is one; a raw import's type names its format.
	if ct := r.Header.Get("Content-Type"); jsonContentType(ct) {
		write("json")
	} else {
		mediaType, _, _ := mime.ParseMediaType(ct)
		write(mediaType)
	}
	switch {
	case r.body.array:
		write("array")
	case r.body.object != nil:
		names := make([]string, 0, len(r.body.object))
		for k := range r.body.object {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v, err := json.Marshal(r.body.object[k]) // compacts
			if err != nil {
				v = r.body.object[k]
			}
			write(k)
			write(string(v))
		}
	}
	return h.Sum(nil)
}

// recorder passes a response through and keeps a copy of it, up to
// strata.MaxSavedResponseBytes.
type recorder struct {
	http.ResponseWriter
	status   int
	body     []byte
	overflow bool
}

func (r *recorder) started() bool { return r.status != 0 }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if !r.overflow {
		if len(r.body)+len(b) > strata.MaxSavedResponseBytes {
			r.overflow, r.body = true, nil
		} else {
			r.body = append(r.body, b...)
		}
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's Flush.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
