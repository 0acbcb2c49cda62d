package strata

import "errors"
import "fmt"
import "strings"
import "unicode/utf8"

// Error codes. Every error that reaches a client carries one; the HTTP layer
// maps them to statuses in a single table.
const (
	ECONFLICT     = "conflict"     // a name or tag is taken
	EINVALID      = "invalid"      // the request is well-formed but wrong
	ENOTFOUND     = "not_found"    // the thing does not exist, or belongs to another project
	EUNAUTHORIZED = "unauthorized" // no key, or a key we do not know
	EFORBIDDEN    = "forbidden"    // the key's role may not do this
	ETOOLARGE     = "too_large"    // a body or a field exceeds a limit
	EPRECONDITION = "precondition" // If-Match no longer matches
	ERATELIMIT    = "rate_limit"   // a key sends more than its limits allow
	EUNSUPPORTED  = "unsupported"  // a body in a format the route does not take
	ETIMEOUT      = "timeout"      // the client was too slow to send its request
	EUPSTREAM     = "upstream"     // a server Strata calls (the LLM) failed
	EUNAVAILABLE  = "unavailable"  // the database cannot be reached for now: try again
	EINTERNAL     = "internal"     // anything else: logged, never shown
)

// Error is an error meant for the client: its Message is safe to show.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("strata error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err: the Message of its
// *Error, or a generic text for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "An unexpected error occurred"
}

// Messages shared by every store, in Lunary's wording.
var (
	ErrDatasetNotFound  = &Error{Code: ENOTFOUND, Message: "Dataset not found"}
	ErrItemNotFound     = &Error{Code: ENOTFOUND, Message: "Dataset item not found"}
	ErrVersionNotFound  = &Error{Code: ENOTFOUND, Message: "Dataset version not found"}
	ErrDatasetNameTaken = &Error{Code: ECONFLICT, Message: "Dataset name already exists in this project"}
	// ErrUnavailable marks an error that says the database cannot be
	// reached for now (Store.MarkUnavailable).
	ErrUnavailable = &Error{Code: EUNAVAILABLE, Message: "The database is unavailable: try again"}
)

// CheckText returns an EINVALID error naming field when s is not text every
// store can keep: valid UTF-8 without NUL characters.
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "%s is not valid UTF-8", field)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return Errorf(EINVALID, "%s contains a NUL character", field)
	}
	return nil
}
