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

// A limit outside what it means is refused before the server starts: a
// size, count or time that is not positive (-1 where it turns a limit off),
// a base URL that is not one.
func TestSettingsOutOfRange(t *testing.T) {
	for _, args := range [][]string{
		{"--max-body-bytes", "0"}, {"--max-body-bytes", "-5"}, {"--max-field-bytes", "0"},
		{"--max-import-items", "0"}, {"--max-import-bytes", "-1"}, {"--max-sync-bytes", "0"},
		{"--request-timeout", "0"}, {"--request-timeout", "-1s"}, {"--read-header-timeout", "0"},
		{"--body-timeout", "0"}, {"--max-wait-per-key", "0"}, {"--min-body-rate", "0"},
		{"--max-conns-per-ip", "0"}, {"--max-concurrent-reads", "-2"}, {"--max-queued-per-key", "-2"},
		{"--rate-per-key", "-2"}, {"--burst-per-key", "-3"}, {"--cache-bytes", "-2"},
		{"--llm-base-url", "::bad"},
	} {
		err := NewMain(io.Discard, io.Discard).ParseFlags(args)
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("serve %s: %v, want it refused, naming the flag", strings.Join(args, " "), err)
		}
	}
	for _, args := range [][]string{
		{"--max-sync-bytes", "-1"}, {"--max-conns-per-ip", "-1"}, {"--max-concurrent-reads", "0"},
		{"--rate-per-key", "0"}, {"--rate-per-key", "-1"}, {"--cache-bytes", "-1"}, {"--min-body-rate", "-1"},
	} {
		if err := NewMain(io.Discard, io.Discard).ParseFlags(args); err != nil {
			t.Errorf("serve %s: %v, want it taken", strings.Join(args, " "), err)
		}
	}
}

// A value refused at start is named where it came from: the flag when the
// command line gave it, the environment variable when that did.
func TestSettingErrorNamesItsSource(t *testing.T) {
	for _, c := range []struct{ flag, env, value string }{
		{"llm-concurrency", "STRATA_LLM_CONCURRENCY", "0"},
		{"max-async-runs", "STRATA_MAX_ASYNC_RUNS", "0"},
		{"log-format", "STRATA_LOG_FORMAT", "xml"},
		{"log-level", "STRATA_LOG_LEVEL", "trace"},
		{"trusted-proxies", "STRATA_TRUSTED_PROXIES", "1.2.3.4/99"},
		{"max-body-bytes", "STRATA_MAX_BODY_BYTES", "0"},
		{"request-timeout", "STRATA_REQUEST_TIMEOUT", "0s"},
	} {
		t.Run(c.flag, func(t *testing.T) {
			t.Setenv(c.env, "")
			err := NewMain(io.Discard, io.Discard).ParseFlags([]string{"--" + c.flag, c.value})
			if err == nil || !strings.HasPrefix(err.Error(), "--"+c.flag+": ") {
				t.Errorf("serve --%s %s: %v, want an error naming the flag", c.flag, c.value, err)
			}
			t.Setenv(c.env, c.value)
			err = NewMain(io.Discard, io.Discard).ParseFlags(nil)
			if err == nil || !strings.HasPrefix(err.Error(), c.env+": ") {
				t.Errorf("%s=%s: %v, want an error naming the variable", c.env, c.value, err)
			}
		})
	}
}

// A metrics address that is the main one is refused at start, saying so.
func TestMetricsAddrIsNotTheMainOne(t *testing.T) {
	t.Setenv("STRATA_METRICS_ADDR", "")
	t.Setenv("STRATA_ADDR", "")
	err := NewMain(io.Discard, io.Discard).ParseFlags([]string{"--addr", "127.0.0.1:4000", "--metrics-addr", "127.0.0.1:4000"})
	if err == nil || err.Error() != "--metrics-addr is --addr's address: leave it out to serve /metrics there, or give it another" {
		t.Errorf("the same address twice: %v", err)
	}
}

// --pprof without a metrics address names each setting where it came from.
func TestPProfNeedsMetricsAddrNamesItsSource(t *testing.T) {
	t.Setenv("STRATA_METRICS_ADDR", "")
	t.Setenv("STRATA_PPROF", "")
	err := NewMain(io.Discard, io.Discard).ParseFlags([]string{"--pprof"})
	if err == nil || !strings.HasPrefix(err.Error(), "--pprof needs --metrics-addr ADDR") {
		t.Errorf("serve --pprof: %v", err)
	}
	t.Setenv("STRATA_PPROF", "true")
	err = NewMain(io.Discard, io.Discard).ParseFlags(nil)
	if err == nil || !strings.HasPrefix(err.Error(), "STRATA_PPROF needs --metrics-addr ADDR") {
		t.Errorf("STRATA_PPROF=true: %v", err)
	}
}
