package rules_test

import "context"
import "errors"
import "fmt"
import "io"
import "net/http"
import "os"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/reqinfo"
import "github.com/strata-eval/strata/internal/rules"

func TestStatus(t *testing.T) {
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-expired.Done()
	bg := context.Background()
	left, leave := context.WithCancel(context.Background())
	leave()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"Conflict", bg, strata.ErrDatasetNameTaken, http.StatusConflict},
		{"Invalid", bg, strata.Errorf(strata.EINVALID, "x"), http.StatusBadRequest},
		{"NotFound", bg, fmt.Errorf("wrapped: %w", strata.ErrDatasetNotFound), http.StatusNotFound},
		{"Unauthorized", bg, strata.Errorf(strata.EUNAUTHORIZED, "x"), http.StatusUnauthorized},
		{"Forbidden", bg, strata.Errorf(strata.EFORBIDDEN, "x"), http.StatusForbidden},
		{"TooLarge", bg, rules.ErrBodyTooLarge, http.StatusRequestEntityTooLarge},
		{"Precondition", bg, strata.Errorf(strata.EPRECONDITION, "x"), http.StatusPreconditionFailed},
		{"RateLimit", bg, strata.Errorf(strata.ERATELIMIT, "x"), http.StatusTooManyRequests},
		{"Unsupported", bg, strata.Errorf(strata.EUNSUPPORTED, "x"), http.StatusUnsupportedMediaType},
		{"BodyTimeout", bg, rules.ErrBodyTimeout, http.StatusRequestTimeout},
		{"Upstream", bg, strata.Errorf(strata.EUPSTREAM, "x"), http.StatusBadGateway},
		{"Validation", bg, &strata.ValidationError{Issues: []strata.Issue{{Path: "name", Message: "Required"}}}, http.StatusUnprocessableEntity},
		{"DeadlinePassed", expired, fmt.Errorf("wait for the write lock: %w", context.DeadlineExceeded), http.StatusServiceUnavailable},
		{"DeadlineOfAnotherContext", bg, context.DeadlineExceeded, http.StatusInternalServerError},
		{"DeadlinePassedDatabaseSaidOtherwise", expired, errors.New("sql: transaction has already been committed or rolled back"), http.StatusServiceUnavailable},
		{"DeadlinePassedAfterNotFound", expired, strata.ErrItemNotFound, http.StatusNotFound},
		{"Internal", bg, errors.New("disk on fire"), http.StatusInternalServerError},
		{"ClientLeft", left, fmt.Errorf("scan items: %w", context.Canceled), rules.StatusClientClosed},
		{"ClientLeftStoreSaidOtherwise", left, errors.New("interrupted"), rules.StatusClientClosed},
		{"ClientLeftAfterNotFound", left, strata.ErrItemNotFound, http.StatusNotFound},
		{"ClientLeftUploadCutShort", left, rules.BodyError(io.ErrUnexpectedEOF), rules.StatusClientClosed},
		{"ClientLeftBodyTimeout", left, rules.BodyError(os.ErrDeadlineExceeded), http.StatusRequestTimeout},
		{"CanceledOfAnotherContext", bg, context.Canceled, http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rules.Status(tc.ctx, tc.err); got != tc.want {
				t.Errorf("Status = %d, want %d", got, tc.want)
			}
		})
	}
}

// A 503 of a request over its time limit is marked for the metrics (a
// timeout); one of the database unavailable is not.
func TestStatusMarksTimeouts(t *testing.T) {
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-expired.Done()
	for _, tc := range []struct {
		name     string
		ctx      context.Context
		err      error
		timedOut bool
	}{
		{"DeadlinePassed", expired, context.DeadlineExceeded, true},
		{"DatabaseUnavailable", context.Background(), strata.Errorf(strata.EUNAVAILABLE, "the database is unavailable"), false},
	} {
		ctx, info := reqinfo.New(tc.ctx, "id")
		if got := rules.Status(ctx, tc.err); got != http.StatusServiceUnavailable {
			t.Fatalf("%s: Status = %d, want 503", tc.name, got)
		}
		if info.TimedOut() != tc.timedOut {
			t.Errorf("%s: marked timed out = %v, want %v", tc.name, info.TimedOut(), tc.timedOut)
		}
	}
}

func TestSpool(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		u, err := rules.Spool(strings.NewReader("input\nx\n"), 8)
		if err != nil {
			t.Fatal(err)
		}
		// The file has no name from the start: a server killed while it
		// holds one leaves nothing behind.
		name := u.Name()
		if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the temporary file is in its directory: %v", err)
		}
		b, err := io.ReadAll(u)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), "input\nx\n"; got != want {
			t.Errorf("read back %q, want %q", got, want)
		}
		if err := u.Close(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		if _, err := rules.Spool(strings.NewReader("input\nxy\n"), 8); err != rules.ErrBodyTooLarge {
			t.Fatalf("err = %v, want ErrBodyTooLarge", err)
		}
	})
	t.Run("ErrCutShort", func(t *testing.T) {
		_, err := rules.Spool(io.MultiReader(strings.NewReader("input\n"), cutShort{}), 100)
		if got := strata.ErrorCode(err); got != strata.EINVALID {
			t.Fatalf("code = %q (%v), want invalid", got, err)
		}
	})
}

// cutShort is a body whose client went away mid-way.
type cutShort struct{}

func (cutShort) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestCheckFieldSizes(t *testing.T) {
	big := strings.Repeat("a", 11)
	err := rules.CheckFieldSizes("ok", &big, nil, 10)
	if got := strata.ErrorCode(err); got != strata.ETOOLARGE {
		t.Errorf("code = %q, want too_large", got)
	}
	if got, want := strata.ErrorMessage(err), "groundTruth is larger than 10 bytes"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if err := rules.CheckFieldSizes(big[:10], nil, nil, 10); err != nil {
		t.Errorf("a field at the limit: %v", err)
	}
}
