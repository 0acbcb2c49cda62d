package main

import "flag"
import "fmt"
import "io"
import "math"
import "net/url"
import "regexp"
import "strings"
import "time"

import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/postgres"

// clientFlags registers the settings that protect the server from slow or
// greedy clients, and the CSV export's formula escaping.
func (m *Main) clientFlags(fs *flag.FlagSet, env *envDefaults) {
	fs.DurationVar(&m.BodyTimeout, "body-timeout", env.duration("STRATA_BODY_TIMEOUT", api.DefaultBodyTimeout),
		"longest a request body may take to start arriving; it then moves on with --min-body-rate (env STRATA_BODY_TIMEOUT)")
	fs.Int64Var(&m.MinBodyRate, "min-body-rate", env.int64("STRATA_MIN_BODY_RATE", api.DefaultMinBodyRate),
		"bytes per second a request body must keep up, after --body-timeout; -1 for no rate (env STRATA_MIN_BODY_RATE)")
	fs.IntVar(&m.MaxConnsPerIP, "max-conns-per-ip", int(env.int64("STRATA_MAX_CONNS_PER_IP", DefaultMaxConnsPerIP)),
		"open connections one client address may hold; more are closed; -1 for no limit; --trusted-proxies are not limited (env STRATA_MAX_CONNS_PER_IP)")
	fs.BoolVar(&m.SafeCSV, "safe-csv", env.bool("STRATA_SAFE_CSV", false),
		"CSV exports prefix ' to cells a spreadsheet would read as a formula (env STRATA_SAFE_CSV)")
	fs.Int64Var(&m.CacheBytes, "cache-bytes", env.int64("STRATA_CACHE_BYTES", api.DefaultCacheBytes),
		"memory kept for recently encoded reads of versions' items, in bytes; -1 for no cache (env STRATA_CACHE_BYTES)")
}

// checkSettings refuses a limit outside what it means. Sizes, counts and
// times must be positive (0 would fall back to the default unsaid, or turn
// a timeout off); -1 turns off the limits that say so.
func (m *Main) checkSettings() error {
	l := &m.Limits
	for _, c := range []struct {
		flag  string
		value int64
		off   bool // -1 turns it off
	}{
		{"max-body-bytes", m.MaxBodyBytes, false},
		{"max-import-items", int64(l.MaxImportItems), false},
		{"max-import-bytes", l.MaxImportBytes, false},
		{"max-sync-bytes", l.MaxSyncBytes, true},
		{"max-field-bytes", int64(l.MaxFieldBytes), false},
		{"max-concurrent-per-key", int64(l.MaxConcurrentPerKey), true},
		{"max-queued-per-key", int64(l.MaxQueuedPerKey), true},
		{"burst-per-key", int64(l.BurstPerKey), false},
		{"max-conns-per-ip", int64(m.MaxConnsPerIP), true},
		{"min-body-rate", m.MinBodyRate, true},
		{"cache-bytes", m.CacheBytes, true},
	} {
		if c.value > 0 || (c.off && c.value == -1) {
			continue
		}
		if c.off {
			return fmt.Errorf("%s: want a positive number, or -1 for no limit; got %d", m.settingName(c.flag), c.value)
		}
		return fmt.Errorf("%s: want a positive number, got %d", m.settingName(c.flag), c.value)
	}
	if l.MaxConcurrentReads < -1 {
		return fmt.Errorf("%s: want a positive number, 0 for the default or -1 for no limit; got %d", m.settingName("max-concurrent-reads"), l.MaxConcurrentReads)
	}
	for _, c := range []struct {
		flag  string
		value time.Duration
	}{
		{"request-timeout", l.RequestTimeout}, {"read-header-timeout", m.ReadHeaderTimeout},
		{"body-timeout", m.BodyTimeout}, {"max-wait-per-key", l.MaxWaitPerKey},
	} {
		if c.value <= 0 {
			return fmt.Errorf("%s: want a positive duration, got %s", m.settingName(c.flag), c.value)
		}
	}
	if (l.RatePerKey < 0 && l.RatePerKey != -1) || math.IsNaN(l.RatePerKey) || math.IsInf(l.RatePerKey, 0) {
		return fmt.Errorf("%s: want a number of requests per second, or 0 (or -1) for no limit; got %v", m.settingName("rate-per-key"), l.RatePerKey)
	}
	if u, err := url.Parse(m.LLM.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: want an http or https URL, got %q", m.settingName("llm-base-url"), m.LLM.BaseURL)
	}
	return nil
}

// keywordPassword is the password setting of a keyword/value DSN.
var keywordPassword = regexp.MustCompile(`(\bpassword\s*=\s*)('([^'\\]|\\.)*'|\S*)`)

func (e *envDefaults) bool(name string, def bool) bool {
	e.parse(name, func(v string) (err error) {
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on":
			def = true
		case "0", "false", "no", "off":
			def = false
		default:
			err = fmt.Errorf("want true or false")
		}
		return err
	})
	return def
}

// serveUsage prints serve's flags, each with the environment variable that
// gives its default.
func serveUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `usage: strata serve [flags]

Runs the API and the web pages. Each flag's default comes from the environment
variable named beside it; OPENAI_API_KEY (environment only) is the key of LLM calls.

`)
	fs.PrintDefaults()
}

var envName = regexp.MustCompile(`\(env ([A-Z0-9_]+)\)`)

// serveEnvironment lists the environment variables serve reads, for the
// usage text: taken from the flags themselves, so that none is forgotten.
func serveEnvironment() string {
	m := NewMain(io.Discard, io.Discard)
	m.ParseFlags(nil) // the flags are registered even when the environment is malformed
	names := []string{}
	m.flags.VisitAll(func(f *flag.Flag) {
		if sub := envName.FindStringSubmatch(f.Usage); sub != nil {
			names = append(names, sub[1])
		}
	})
	names = append(names, "OPENAI_API_KEY")
	var b strings.Builder
	b.WriteString("Environment of serve:")
	line := len("Environment of serve:")
	for i, n := range names {
		if i > 0 {
			b.WriteString(",")
			line++
		}
		if line+len(n)+1 > 100 {
			b.WriteString("\n ")
			line = 1
		}
		b.WriteString(" " + n)
		line += len(n) + 1
	}
	b.WriteString(".\n")
	return b.String()
}

// redactDSN hides a PostgreSQL DSN's password, for logs.
func redactDSN(dsn string) string {
	if !postgres.IsDSN(dsn) {
		return dsn
	}
	if !strings.Contains(dsn, "://") { // libpq's keyword/value form
		return keywordPassword.ReplaceAllString(dsn, "${1}xxxxx")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unreadable DSN)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
