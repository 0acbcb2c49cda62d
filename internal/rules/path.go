package rules

import "path"
import "strings"

// CleanPath reports whether p is a path as http.ServeMux cleans it: no dot
// segments and no empty ones, a final slash kept. Neither face redirects a
// path that is not: ServeMux would with a 307, which keeps the method, so
// a client following it would send .../items/..'s DELETE to the dataset.
// Such a path is a resource that is not there.
func CleanPath(p string) bool {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}
