package api

import "encoding/json"
import "net/http"

// WatchLimiter tells f of each request of a key that the per-key limiter
// admits at once ("admitted") or puts in its queue ("queued").
func WatchLimiter(s *Server, f func(event, key string)) { s.keyLimit.watch = f }

// Fingerprint is the idempotency fingerprint of a request with a JSON body
// (none when body is nil).
func Fingerprint(r *http.Request, body map[string]json.RawMessage) []byte {
	return fingerprint(&request{Request: r, body: jsonBody{object: body}})
}
