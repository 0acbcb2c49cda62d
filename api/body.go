package api

import "bytes"
import "encoding/json"
import "mime"
import "net/http"
import "strings"

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
	// A body of known length is read into a buffer of its size, not one
	// that doubles as it fills (2.5 times the body at its peak).
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, max))
	data := buf.Bytes()
	if err != nil {
		return jsonBody{}, rules.BodyError(err) // too large, too slow, or unreadable
	}
	if len(data) == 0 {
		return jsonBody{}, nil
	}
	if ct := r.Header.Get("Content-Type"); !jsonContentType(ct) {
		return jsonBody{}, strata.Errorf(strata.EUNSUPPORTED, "Unsupported Content-Type %q: send application/json", ct)
	}
	if err := rules.CheckJSONChars(data); err != nil { // UTF-8, no lone surrogate
		return jsonBody{}, err
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
// twice at any depth. Its values are slices of data, not copies: an
// import's content is the body's size.
func parseObject(data []byte) (map[string]json.RawMessage, error) {
	if !json.Valid(data) {
		var obj map[string]json.RawMessage
		return nil, invalidJSON(json.Unmarshal(data, &obj))
	}
	if err := rules.CheckDuplicateKeys(data); err != nil {
		return nil, err
	}
	obj := map[string]json.RawMessage{}
	i := skipSpace(data, 0) + 1 // after '{'
	for {
		i = skipSpace(data, i)
		if data[i] == '}' {
			return obj, nil
		}
		end := stringEnd(data, i)
		var key string
		if err := json.Unmarshal(data[i:end], &key); err != nil {
			return nil, invalidJSON(err) // unreachable: data is valid
		}
		i = skipSpace(data, skipSpace(data, end)+1) // after ':'
		end = valueEnd(data, i)
		obj[key] = data[i:end:end]
		if i = skipSpace(data, end); data[i] == ',' {
			i++
		}
	}
}

// skipSpace is the index of the first byte of data from i that is not JSON
// white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// valueEnd is the index after the JSON value that starts at data[i], in
// valid JSON.
func valueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = stringEnd(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for ; i < len(data); i++ { // a number, true, false or null
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// stringEnd is the index after the string that starts at data[i], a quote.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

func invalidJSON(err error) error {
	return strata.Errorf(strata.EINVALID, "Invalid JSON body: %s", err.Error())
}
