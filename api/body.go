package api

import "bytes"
import "encoding/json"
import "errors"
import "io"
import "mime"
import "net/http"
import "os"
import "strings"
import "unicode/utf8"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/rules"

// jsonBody is a request body as Lunary's body parser leaves it: an object, or
// an array (which validation then refuses with zod's words).
type jsonBody struct {
	object map[string]json.RawMessage // nil for an empty body or an array
	array  bool
}

var (
	errBodyTooLarge = rules.ErrBodyTooLarge
	errNotStructure = &strata.Error{Code: strata.EINVALID, Message: "invalid JSON, only supports object and array"}
	errNotUTF8      = rules.ErrNotUTF8
	errBodyTimeout  = rules.ErrBodyTimeout
)

// jsonContentType reports whether a Content-Type names JSON: none at all,
// application/json, or any type/subtype+json.
func jsonContentType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// readBody reads and parses the JSON body. An empty body is {}; like
// koa-bodyparser in strict mode, a body that does not start with { or [ is
// refused before it is parsed. The body must arrive within the request
// timeout, be valid UTF-8, and be sent as JSON (form bodies are not taken).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (jsonBody, error) {
	max := s.maxBodyBytes()
	if r.ContentLength > max {
		return jsonBody{}, errBodyTooLarge
	}
	// A client that trickles its body is cut off by the body's deadline
	// (slowbody.go) instead of holding a connection for ever.
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return jsonBody{}, errBodyTooLarge
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return jsonBody{}, errBodyTimeout
		}
		return jsonBody{}, strata.Errorf(strata.EINVALID, "Could not read request body: %v", err)
	}
	if len(data) == 0 {
		return jsonBody{}, nil
	}
	if ct := r.Header.Get("Content-Type"); !jsonContentType(ct) {
		return jsonBody{}, strata.Errorf(strata.EUNSUPPORTED, "Unsupported Content-Type %q: send application/json", ct)
	}
	if !utf8.Valid(data) {
		return jsonBody{}, errNotUTF8
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') {
		return jsonBody{}, errNotStructure
	}
	if trimmed[0] == '[' {
		if !json.Valid(data) {
			var v any
			return jsonBody{}, invalidJSON(json.Unmarshal(data, &v))
		}
		return jsonBody{array: true}, nil
	}
	obj, err := parseObject(data)
	if err != nil {
		return jsonBody{}, err
	}
	return jsonBody{object: obj}, nil
}

// parseObject decodes a JSON object body, refusing one that names a key
// twice at any depth.
func parseObject(data []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, invalidJSON(err)
	}
	if err := checkDuplicateKeys(data); err != nil {
		return nil, err
	}
	return obj, nil
}

// checkDuplicateKeys refuses a JSON text in which an object, at any depth,
// names a key twice: which one counts differs between parsers (Go's and
// JavaScript's keep the last), so the request's meaning would be a guess.
// data is valid JSON.
func checkDuplicateKeys(data []byte) error {
	type frame struct {
		object  bool
		wantKey bool // the next token of an object is a key
		keys    map[string]bool
	}
	var stack []frame
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF: data is valid JSON, checked before
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				top := &stack[n-1]
				if top.keys[key] {
					return strata.Errorf(strata.EINVALID, "Invalid JSON body: duplicate key %q", key)
				}
				if top.keys == nil {
					top.keys = map[string]bool{}
				}
				top.keys[key], top.wantKey = true, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: its object's next token is a key.
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
}

func invalidJSON(err error) error {
	return strata.Errorf(strata.EINVALID, "Invalid JSON body: %s", err.Error())
}
