package api

import "context"
import "net/http"

import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/rules"

// What the pages (package web) share with the API: they are another face of
// the same operations, so their requests count against the same per-key
// limits, take the same time and size limits, and answer a rate limit the
// same way.

// Admit lets a request of a key in under the key's limits, as every API
// route does first; done ends the request. An error is a rate-limit error
// (429, with SetRetryAfter). ctx is the request's: a limiter that makes a
// request wait gives up with it. method is the request's: reads and
// writes have slots of their own (keyState).
func (s *Server) Admit(ctx context.Context, keyID, method string) (done func(), err error) {
	return s.keyLimit.admit(ctx, keyID, method, s.limits())
}

// EffectiveLimits returns the limits in force, defaults filled in.
func (s *Server) EffectiveLimits() Limits { return s.limits() }

// ImportConfig is the configuration of the server's imports of files with
// mapping m: their longest record follows the field limit.
func (s *Server) ImportConfig(m importer.Mapping) importer.Config { return s.importConfig(m) }

// BodyLimit returns the largest request body the server reads whole.
func (s *Server) BodyLimit() int64 { return s.maxBodyBytes() }

// ImportLimits returns the limits of one import.
func (s *Server) ImportLimits() rules.ImportLimits { return s.importLimits() }

func (s *Server) importLimits() rules.ImportLimits {
	l := s.limits()
	return rules.ImportLimits{MaxItems: l.MaxImportItems, MaxFieldBytes: l.MaxFieldBytes}
}

// SetRetryAfter tells a rate-limited client when to retry.
func SetRetryAfter(w http.ResponseWriter, err error) { setRetryAfter(w, err) }
