package reqinfo

import "bytes"
import "context"
import "log/slog"
import "strings"
import "testing"

func TestSaneID(t *testing.T) {
	for id, want := range map[string]bool{
		"abc-123":                 true,
		"01a233ee-0846-7eea-b47e": true,
		"trace:1/2+3=4@x_y.z":     true,
		"":                        false,
		"two words":               false,
		"line\nbreak":             false,
		"quote\"":                 false,
		"é":                       false,
		strings.Repeat("a", 128):  true,
		strings.Repeat("a", 129):  false,
	} {
		if got := SaneID(id); got != want {
			t.Errorf("SaneID(%q) = %v, want %v", id, got, want)
		}
	}
	if id := NewID(); !SaneID(id) || id == NewID() {
		t.Errorf("NewID() = %q: not sane or not new", id)
	}
}

func TestLogHandlerAddsRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(LogHandler{slog.NewTextHandler(&buf, nil)}).With("component", "test")
	ctx, info := New(context.Background(), "req-9")
	info.SetKeyID("key-1")
	logger.ErrorContext(ctx, "failed")
	logger.Error("no context")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines = %q", lines)
	}
	if !strings.Contains(lines[0], "request_id=req-9") {
		t.Errorf("line with the request's context = %q, want its request_id", lines[0])
	}
	if strings.Contains(lines[1], "request_id") {
		t.Errorf("line without a context = %q, want no request_id", lines[1])
	}
}

func TestInfoNil(t *testing.T) {
	// Handlers served without the middleware record into nothing.
	ctx := context.Background()
	SetKeyID(ctx, "k")
	SetRoute(ctx, "GET /x")
	if From(ctx).KeyID() != "" || From(ctx).ID() != "" {
		t.Error("a nil Info answered")
	}
	_, info := New(ctx, "id")
	info.SetRoute("")
	if route, ok := info.Route(); route != "" || !ok {
		t.Errorf("Route() = %q, %v, want an empty recorded route", route, ok)
	}
}
