package main

import "fmt"
import "net"
import "strings"
import "testing"
import "time"

// A request still running when the drain ends (a client that stopped
// sending its upload) is canceled: the stop is a clean one, and says so.
func TestShutdownCancelsWhatTheDrainLeft(t *testing.T) {
	s := runServeWith(t, testDSN(t), func(m *Main) { m.drain = 200 * time.Millisecond })
	conn, err := net.Dial("tcp", s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/datasets-v2 HTTP/1.1\r\nHost: strata\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"name\": \"", s.ownerKey(t))
	for s.active.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close with an upload left running = %v, want nil", err)
	}
	if got := s.active.Load(); got != 0 {
		t.Fatalf("%d requests still running after Close", got)
	}
	if log := s.stderr.String(); !strings.Contains(log, "requests still running after the drain are canceled") {
		t.Fatalf("the log does not say a request was canceled:\n%s", log)
	}
}
