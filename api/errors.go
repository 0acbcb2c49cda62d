package api

import "errors"
import "net/http"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/rules"

// unexpectedError is all a client learns of an internal error, in Lunary's
// words.
const unexpectedError = "An unexpected error occurred"

// messageBody is Lunary's error body for everything but validation and access
// errors.
type messageBody struct {
	Message string `json:"message"`
}

// errorBody is Lunary's body for zod validation errors (error "Error") and
// access denials (error "Forbidden").
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// writeError writes err as Lunary would, with the status rules gives it: a
// validation error as 422, a strata error with its code's status and
// message, anything else as a logged 500 whose details stay here (or 499,
// unlogged, when the client has left and no one reads the answer).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	// An error is never kept by a cache, whatever a handler had set for the
	// response it meant to send (immutable.go).
	w.Header().Del("Cache-Control")
	err = rules.MarkUnavailable(r.Context(), s.Store, err)
	status := rules.Status(r.Context(), err)
	if verr, ok := errors.AsType[*strata.ValidationError](err); ok {
		writeJSON(w, status, errorBody{Error: "Error", Message: verr.Error()})
		return
	}
	if rules.TimedOut(r.Context(), err) {
		writeJSON(w, status, messageBody{Message: "Request timed out"})
		return
	}
	if rules.Stopping(r.Context()) {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, status, messageBody{Message: rules.StoppingMessage})
		return
	}
	setRetryAfter(w, err)
	if status == http.StatusServiceUnavailable {
		s.logger().WarnContext(r.Context(), "database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusInternalServerError {
		if r.Context().Err() == nil { // else the client left, and the store only noticed
			s.logger().ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		writeJSON(w, http.StatusInternalServerError, messageBody{Message: unexpectedError})
		return
	}
	if status == http.StatusForbidden {
		writeJSON(w, status, errorBody{Error: "Forbidden", Message: strata.ErrorMessage(err)})
		return
	}
	writeJSON(w, status, messageBody{Message: strata.ErrorMessage(err)})
}
