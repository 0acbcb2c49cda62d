package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/strata-eval/strata"
)

// jsonBody is a request body as Lunary's body parser leaves it: an object, or
// an array (which validation then refuses with zod's words).
type jsonBody struct {
	object map[string]json.RawMessage // nil for an empty body or an array
	array  bool
}

var (
	errBodyTooLarge = &strata.Error{Code: strata.ETOOLARGE, Message: "Request body too large"}
	errNotStructure = &strata.Error{Code: strata.EINVALID, Message: "invalid JSON, only supports object and array"}
)

// readBody reads and parses the JSON body, whatever its content type. An
// empty body is {}; like koa-bodyparser in strict mode, a body that does not
// start with { or [ is refused before it is parsed.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (jsonBody, error) {
	max := s.maxBodyBytes()
	if r.ContentLength > max {
		return jsonBody{}, errBodyTooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return jsonBody{}, errBodyTooLarge
		}
		return jsonBody{}, strata.Errorf(strata.EINVALID, "Could not read request body: %v", err)
	}
	if len(data) == 0 {
		return jsonBody{}, nil
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
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return jsonBody{}, invalidJSON(err)
	}
	return jsonBody{object: obj}, nil
}

func invalidJSON(err error) error {
	return strata.Errorf(strata.EINVALID, "Invalid JSON body: %s", err.Error())
}
