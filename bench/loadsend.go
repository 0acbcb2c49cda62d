package bench

import "bytes"
import "context"
import "encoding/json"
import "fmt"
import "io"
import "net/http"
import "os"
import "strconv"
import "strings"
import "time"

import "github.com/strata-eval/strata/client"

// loadSender sends the load's requests as a load generator should: paths
// and bodies built without reflection, the answer's status checked and its
// body read to the end and discarded, so that the connection is reused.
// Decoding every answer would spend, on this machine, as much CPU as the
// server spends answering it (measured: 0.96 ms per request through the
// client package against 1.2 ms in the server), and the client shares the
// server's cores.
type loadSender struct {
	hc         *http.Client
	base, auth string
}

// maxLoadErrorBody bounds how much of a failed answer is kept for the report.
const maxLoadErrorBody = 4 << 10

// send makes one request and returns nil when it got want, else a
// *client.Error with the status (0: no answer) and the server's message.
func (s *loadSender) send(ctx context.Context, method, path string, body []byte, want int) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", s.auth)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode == want {
		_, err := io.Copy(io.Discard, res.Body)
		return err
	}
	data, _ := io.ReadAll(io.LimitReader(res.Body, maxLoadErrorBody))
	var m struct {
		Message string `json:"message"`
	}
	msg := strings.TrimSpace(string(data))
	if json.Unmarshal(data, &m) == nil && m.Message != "" {
		msg = m.Message
	}
	return &client.Error{Method: method, Path: path, Status: res.StatusCode, Message: msg}
}

// editBody is the JSON body of the load's item edit: a new input, unique
// to the worker and the moment.
func editBody(buf []byte, worker int, t time.Time) []byte {
	buf = append(buf[:0], `{"input":"edited by worker `...)
	buf = strconv.AppendInt(buf, int64(worker), 10)
	buf = append(buf, " at "...)
	buf = strconv.AppendInt(buf, t.UnixNano(), 10)
	return append(buf, `"}`...)
}

// userHZ is the unit of the CPU times in /proc/PID/stat: clock ticks of
// 1/100 s on every Linux architecture (USER_HZ, proc(5)).
const userHZ = 100

// procCPU returns the user and system CPU time a process has used so far,
// from /proc/PID/stat (Linux).
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// fields count from the last ")". utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
