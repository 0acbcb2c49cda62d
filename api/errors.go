package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/strata-eval/strata"
)

// statuses maps each error code to its HTTP status: the one place where
// domain errors meet HTTP.
var statuses = map[string]int{
	strata.ECONFLICT:     http.StatusConflict,
	strata.EINVALID:      http.StatusBadRequest,
	strata.ENOTFOUND:     http.StatusNotFound,
	strata.EUNAUTHORIZED: http.StatusUnauthorized,
	strata.EFORBIDDEN:    http.StatusForbidden,
	strata.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	strata.EPRECONDITION: http.StatusPreconditionFailed,
	strata.ERATELIMIT:    http.StatusTooManyRequests,
	strata.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	strata.ETIMEOUT:      http.StatusRequestTimeout,
	strata.EUPSTREAM:     http.StatusBadGateway,
	strata.EINTERNAL:     http.StatusInternalServerError,
}

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

// writeError writes err as Lunary would: a validation error as 422, a strata
// error with its code's status and message, anything else as a logged 500
// whose details stay here.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	// An error is never kept by a cache, whatever a handler had set for the
	// response it meant to send (immutable.go).
	w.Header().Del("Cache-Control")
	var verr *validationError
	if errors.As(err, &verr) {
		writeJSON(w, http.StatusUnprocessableEntity, errorBody{Error: "Error", Message: verr.Error()})
		return
	}
	if errors.Is(err, context.DeadlineExceeded) && r.Context().Err() != nil {
		writeJSON(w, http.StatusServiceUnavailable, messageBody{Message: "Request timed out"})
		return
	}
	setRetryAfter(w, err)
	code := strata.ErrorCode(err)
	status, ok := statuses[code]
	if !ok || status == http.StatusInternalServerError {
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
