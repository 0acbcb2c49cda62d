// Package rules is what every HTTP face of Strata does the same way: the API
// (package api) and the pages (package web) are two encodings of the same
// operations, so they map errors to statuses, bound imports and fields, and
// write exports here, once.
package rules

import "context"
import "errors"
import "net/http"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/reqinfo"

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
	strata.EUNAVAILABLE:  http.StatusServiceUnavailable,
	strata.EINTERNAL:     http.StatusInternalServerError,
}

// StatusClientClosed is the status logs and metrics record for a request
// whose client left before its answer (nginx's 499): no one receives it, and
// it is no fault of the server's, so it must not count as a 5xx.
const StatusClientClosed = 499

// Status returns the status that answers err in a request whose context is
// ctx: 422 for input that breaks a rule (strata.ValidationError), 503 when
// the request ran out of time (TimedOut) or the server is stopping
// (Stopping), else its code's status. When the
// client had left (ClientLeft), an internal error or a 400 is 499: what
// failed then failed for that reason (a store call cut off, an upload its
// client stopped sending).
func Status(ctx context.Context, err error) int {
	if _, ok := errors.AsType[*strata.ValidationError](err); ok {
		return http.StatusUnprocessableEntity
	}
	if TimedOut(ctx, err) {
		reqinfo.From(ctx).SetTimedOut() // for the metrics: this 503 is a timeout
		return http.StatusServiceUnavailable
	}
	if Stopping(ctx) {
		return http.StatusServiceUnavailable
	}
	status, ok := statuses[strata.ErrorCode(err)]
	if !ok {
		status = http.StatusInternalServerError
	}
	if (status == http.StatusInternalServerError || status == http.StatusBadRequest) && ClientLeft(ctx) {
		return StatusClientClosed
	}
	return status
}

// MarkUnavailable returns err marked strata.ErrUnavailable when the store
// says its database cannot be reached for now, unless the request has
// already ended: a client that left, or a deadline that passed, is what
// cut the connection then.
func MarkUnavailable(ctx context.Context, store strata.Store, err error) error {
	if ctx.Err() != nil {
		return err
	}
	return store.MarkUnavailable(err)
}

// ErrStopping is the cause with which a stopping server cancels the
// requests still running when its drain ends: they answer 503
// StoppingMessage, and their client may try again on another server or
// once this one is back.
var ErrStopping = errors.New("the server is stopping")

// StoppingMessage is the message of a request ErrStopping ended.
const StoppingMessage = "The server is stopping: try again"

// Stopping reports whether the request whose context is ctx was canceled
// because the server is stopping.
func Stopping(ctx context.Context) bool { return errors.Is(context.Cause(ctx), ErrStopping) }

// ClientLeft reports whether the request whose context is ctx was canceled
// because its client went away: whatever then failed in the store failed for
// that reason.
func ClientLeft(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled) && !Stopping(ctx)
}

// TimedOut reports whether err is the request's deadline passing: the
// request took longer than its limit, waiting for the database included.
// The deadline has passed, and err is it or an internal error, which is
// then what the database said of a statement cut short (on PostgreSQL, that
// the transaction or its connection was closed under it).
func TimedOut(ctx context.Context, err error) bool {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return false
	}
	return errors.Is(err, context.DeadlineExceeded) || strata.ErrorCode(err) == strata.EINTERNAL
}
