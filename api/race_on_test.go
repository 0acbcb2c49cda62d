//go:build race

package api

// raceEnabled: the race detector instruments the code, which then
// allocates where the plain build does not.
const raceEnabled = true
