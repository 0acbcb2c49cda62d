package api

import "crypto/sha256"
import "encoding/hex"
import "net/http"
import "slices"
import "strings"

import "github.com/strata-eval/strata"

// Versions never change (version.go), so what a version's reads return is
// fixed by the version's id, and, for the version object, by the tags that
// point at it. Those reads carry a strong ETag made of them, If-None-Match
// answers 304 before any item is read, and a version's items and export
// named by its number or id (which always name the same version, unlike
// "latest" or a tag) may be kept by clients and proxies for a year without
// asking again. The version object, whose tags move, is asked for again.

// encodingTag changes with the document that describes the responses, so an
// upgrade that changes a response's shape also changes its ETag.
var encodingTag = func() string {
	sum := sha256.Sum256(openAPIDocument)
	return hex.EncodeToString(sum[:4])
}()

// A shared cache keeps a response to a request with Authorization only when
// told it may (public); Vary keeps what it keeps apart per key, so a proxy
// never answers one key with what another key read.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
	cacheVary       = "Authorization, X-API-Key"
)

// versionETag is the ETag of a read of ver; parts distinguish what else the
// response holds (the version object's tags).
func versionETag(ver *strata.Version, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(ver.ID))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return `"v` + encodingTag + "-" + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
}

// pathVersion resolves the version that a read's path names ({versionId},
// any ref) in the dataset datasetID. queryErr is the handler's error in
// reading its query, reported once the dataset is known to exist
// (afterLookup).
func (s *Server) pathVersion(r *request, datasetID string, queryErr error) (*strata.Version, error) {
	if queryErr != nil {
		return nil, s.afterLookup(r, datasetID, queryErr)
	}
	return s.Store.ResolveVersion(r.ctx(), r.principal.ProjectID, datasetID, r.PathValue("versionId"))
}

// cacheVersion sets the headers that let a client keep a read of ver and
// reports whether the client already has it (If-None-Match), in which case
// the 304 is written and the handler must write nothing else. tagged says
// the response holds the version's tags: they move while the version stays,
// so such a response is never immutable, and its ETag covers them. variant
// is what else makes the response's bytes (an export's format and CSV
// escaping, whose default is the server's).
func cacheVersion(w http.ResponseWriter, r *request, ver *strata.Version, tagged bool, variant ...string) bool {
	parts := variant
	if tagged {
		parts = append(slices.Clip(variant), ver.Tags...)
	}
	etag := versionETag(ver, parts...)
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Vary", cacheVary)
	if ref, _ := strata.ParseRef(r.PathValue("versionId")); !tagged && (ref.ID != "" || ref.Number > 0) {
		h.Set("Cache-Control", cacheImmutable)
	} else {
		h.Set("Cache-Control", cacheRevalidate)
	}
	if !etagMatches(r.Header.Get("If-None-Match"), etag) {
		return false
	}
	w.WriteHeader(http.StatusNotModified)
	return true
}

// etagMatches reports whether an If-None-Match header names etag (RFC 9110
// weak comparison: a W/ prefix is ignored), or is "*".
func etagMatches(header, etag string) bool {
	for _, c := range strings.Split(header, ",") {
		c = strings.TrimPrefix(strings.TrimSpace(c), "W/")
		if c == "*" || c == etag {
			return true
		}
	}
	return false
}
