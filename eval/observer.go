package eval

import "context"
import "errors"
import "net/http"
import "time"

// Observer hears of LLM calls and evaluator runs: the server's metrics
// implement it, so that this package knows nothing of them. Its methods must
// be quick and must not block.
type Observer interface {
	// LLMCallStarted is one attempt of an LLM call taking a slot of the
	// pool; LLMCallEnded, the same attempt done.
	LLMCallStarted()
	LLMCallEnded(model, outcome string, took time.Duration)
	// RunEnded is an evaluator run that computed, ending "completed" or
	// "failed".
	RunEnded(status string)
}

// Outcomes of an LLM call's attempt, as LLMCallEnded reports them.
const (
	OutcomeOK              = "ok"
	OutcomeTimeout         = "timeout"          // no answer within Client.Timeout, or a 408
	OutcomeCanceled        = "canceled"         // the caller stopped waiting
	OutcomeRateLimited     = "rate_limited"     // 429
	OutcomeClientError     = "client_error"     // another 4xx: a bad key, model or request
	OutcomeServerError     = "server_error"     // 5xx
	OutcomeConnectionError = "connection_error" // no answer: refused, reset, DNS
	OutcomeBadResponse     = "bad_response"     // an answer that is not a response
)

// Outcomes lists every outcome of an attempt.
var Outcomes = []string{OutcomeOK, OutcomeTimeout, OutcomeCanceled, OutcomeRateLimited, OutcomeClientError,
	OutcomeServerError, OutcomeConnectionError, OutcomeBadResponse}

// Statuses of an evaluator run, as RunEnded reports them.
const (
	RunCompleted = "completed"
	RunFailed    = "failed"
)

// nopObserver hears nothing.
type nopObserver struct{}

func (nopObserver) LLMCallStarted()                            {}
func (nopObserver) LLMCallEnded(string, string, time.Duration) {}
func (nopObserver) RunEnded(string)                            {}

func observer(o Observer) Observer {
	if o == nil {
		return nopObserver{}
	}
	return o
}

// outcome classifies the result of one attempt: err and retryAfter as
// Client.call returns them.
func outcome(err error, retryAfter time.Duration) string {
	var (
		uerr *UpstreamError
		terr *TimeoutError
	)
	switch {
	case err == nil:
		return OutcomeOK
	case errors.As(err, &terr):
		return OutcomeTimeout
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return OutcomeCanceled
	case errors.As(err, &uerr):
		switch {
		case uerr.Status == http.StatusRequestTimeout:
			return OutcomeTimeout
		case uerr.Status == http.StatusTooManyRequests:
			return OutcomeRateLimited
		case uerr.Status >= 500:
			return OutcomeServerError
		}
		return OutcomeClientError
	case retryAfter == 0: // retried without an answer
		return OutcomeConnectionError
	}
	return OutcomeBadResponse
}
