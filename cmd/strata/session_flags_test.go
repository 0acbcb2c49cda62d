package main

import "io"
import "net/netip"
import "slices"
import "testing"

func TestSessionCookieFlags(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		m := NewMain(io.Discard, io.Discard)
		if err := m.ParseFlags([]string{"--trusted-proxies", "10.0.0.7, 192.168.1.9/16,::1", "--secure-cookies"}); err != nil {
			t.Fatal(err)
		}
		want := []netip.Prefix{netip.MustParsePrefix("10.0.0.7/32"), netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("::1/128")}
		if !slices.Equal(m.TrustedProxies, want) {
			t.Errorf("trusted proxies = %v, want %v", m.TrustedProxies, want)
		}
		if !m.SecureCookies {
			t.Error("--secure-cookies not set")
		}
	})
	t.Run("FromEnvironment", func(t *testing.T) {
		t.Setenv("STRATA_TRUSTED_PROXIES", "127.0.0.1")
		t.Setenv("STRATA_SECURE_COOKIES", "true")
		m := NewMain(io.Discard, io.Discard)
		if err := m.ParseFlags(nil); err != nil {
			t.Fatal(err)
		}
		if len(m.TrustedProxies) != 1 || !m.SecureCookies {
			t.Errorf("proxies %v, secure %v", m.TrustedProxies, m.SecureCookies)
		}
	})
	t.Run("ErrBadProxy", func(t *testing.T) {
		if err := NewMain(io.Discard, io.Discard).ParseFlags([]string{"--trusted-proxies", "proxy.local"}); err == nil {
			t.Fatal("a host name was taken as an address")
		}
	})
}
