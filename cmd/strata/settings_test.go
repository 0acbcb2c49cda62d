package main

import "io"
import "strings"
import "testing"

// --max-run-result-bytes reaches the evaluator runner, and
// --max-concurrent-reads and --max-sync-bytes the limits; a run's bound that
// is not positive is refused.
func TestRunAndReadSettings(t *testing.T) {
	s := runServe(t, testDSN(t), "--max-run-result-bytes", "1234", "--max-concurrent-reads", "-1", "--max-sync-bytes", "4321")
	if got := s.runner.MaxResultBytes; got != 1234 {
		t.Errorf("runner's bound %d, want 1234", got)
	}
	if got := s.Limits.MaxConcurrentReads; got != -1 {
		t.Errorf("reads at once %d, want -1", got)
	}
	if got := s.Limits.MaxSyncBytes; got != 4321 {
		t.Errorf("sync bound %d, want 4321", got)
	}
	t.Setenv("STRATA_MAX_RUN_RESULT_BYTES", "0")
	err := NewMain(io.Discard, io.Discard).ParseFlags(nil)
	if err == nil || !strings.Contains(err.Error(), "STRATA_MAX_RUN_RESULT_BYTES") {
		t.Errorf("a bound of 0: %v, want it refused", err)
	}
}
