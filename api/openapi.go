package api

import _ "embed"
import "net/http"

// openAPIDocument describes every route this package serves. Its
// DatasetV2Version and DatasetV2 schemas are Lunary's published ones, unchanged.
//
//go:embed openapi.json
var openAPIDocument []byte

// serveOpenAPI serves the OpenAPI document; it needs no key.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDocument)
}
