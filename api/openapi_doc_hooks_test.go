package api

// Limits of the API's own code that the OpenAPI document declares, for
// openapi_doc_test.go to compare with it.
const (
	DefaultPageLimit      = defaultPageLimit
	MaxPageLimit          = maxPageLimit
	DefaultRunsLimit      = defaultRunsLimit
	MaxRunsLimit          = maxRunsLimit
	MaxRunNameLength      = maxRunNameLength
	MaxInstructionsLength = maxInstructionsLength
)
