package main

import (
	"io"
	"strings"
	"testing"
)

// --max-run-result-bytes reaches the evaluator runner; a bound that is not
// positive is refused.
func TestRunResultBytesSetting(t *testing.T) {
	s := runServe(t, testDSN(t), "--max-run-result-bytes", "1234")
	if got := s.runner.MaxResultBytes; got != 1234 {
		t.Errorf("runner's bound %d, want 1234", got)
	}
	t.Setenv("STRATA_MAX_RUN_RESULT_BYTES", "0")
	err := NewMain(io.Discard, io.Discard).ParseFlags(nil)
	if err == nil || !strings.Contains(err.Error(), "STRATA_MAX_RUN_RESULT_BYTES") {
		t.Errorf("a bound of 0: %v, want it refused", err)
	}
}
