package api

// Every text a client sends passes strata.CheckText (valid UTF-8, no NUL):
// JSON bodies whole (body.go) and their strings in the store (400), raw
// imports as they stream (400), and query parameters before any handler
// reads them (rules.CheckQueryText, as the pages do): 422, as any other
// invalid query parameter.
