package api

// SetMaxPageRead sets the rows a page with a metadata filter may read, for
// a test, and returns the function that puts it back.
func SetMaxPageRead(n int) (restore func()) {
	old := maxPageRead
	maxPageRead = n
	return func() { maxPageRead = old }
}
