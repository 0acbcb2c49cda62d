package main

import "net"
import "net/netip"
import "sync"

// DefaultMaxConnsPerIP bounds the connections one client address may hold
// open at once: enough for a harness of many workers with keep-alive, too
// few for one address to take every connection the process can hold.
const DefaultMaxConnsPerIP = 256

// connLimitListener closes, as soon as it is accepted, a connection from an
// address that already holds max open connections. Behind a reverse proxy
// every connection comes from the proxy, which speaks for many clients: the
// addresses of exempt (--trusted-proxies) are not bounded, and the proxy
// bounds its clients itself.
type connLimitListener struct {
	net.Listener
	max    int
	exempt []netip.Prefix

	mu   sync.Mutex
	open map[string]int
}

// limitConnsPerIP bounds the connections of each address but those in
// exempt to max; max <= 0 bounds none.
func limitConnsPerIP(l net.Listener, max int, exempt []netip.Prefix) net.Listener {
	if max <= 0 {
		return l
	}
	return &connLimitListener{Listener: l, max: max, exempt: exempt, open: map[string]int{}}
}

// isExempt reports whether host, a connection's address, is in an exempt
// range.
func (l *connLimitListener) isExempt(host string) bool {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range l.exempt {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (l *connLimitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := c.RemoteAddr().String()
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if l.isExempt(host) {
			return c, nil
		}
		l.mu.Lock()
		over := l.open[host] >= l.max
		if !over {
			l.open[host]++
		}
		l.mu.Unlock()
		if over {
			c.Close()
			continue
		}
		return &countedConn{Conn: c, release: func() { l.release(host) }}, nil
	}
}

func (l *connLimitListener) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[host]--; l.open[host] <= 0 {
		delete(l.open, host)
	}
}

// countedConn gives its place back once, when closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite half-closes a TCP connection, as the HTTP server does before it
// closes one whose request it did not read in full.
func (c *countedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
