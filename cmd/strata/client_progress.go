package main

import "encoding/json"
import "io"
import "os"
import "time"

import "github.com/schollz/progressbar/v3"
import "golang.org/x/term"

// isTerminal reports whether w is a terminal: progress is drawn only there.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress returns a progress bar on e's stderr, or nil when progress is
// not drawn. max is the total (-1: unknown); bytes says whether it counts
// bytes (else items).
func (e *clientEnv) newProgress(max int64, description string, bytes bool) *progressbar.ProgressBar {
	if !e.progress {
		return nil
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(description),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { io.WriteString(e.stderr, "\n") }),
	}
	if bytes {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionShowIts(), progressbar.OptionSetItsString("items"))
	}
	return progressbar.NewOptions64(max, opts...)
}

// finish completes a bar, if there is one.
func finish(bar *progressbar.ProgressBar) {
	if bar != nil {
		bar.Finish()
	}
}

// countingReader reports what is read through it to a bar, and rewinds
// with its file, so that the client may retry a request that sends it.
type countingReader struct {
	r   io.ReadSeeker
	bar *progressbar.ProgressBar
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.bar != nil {
		c.bar.Add(n)
	}
	return n, err
}

func (c *countingReader) Seek(offset int64, whence int) (int64, error) {
	n, err := c.r.Seek(offset, whence)
	if c.bar != nil && err == nil {
		c.bar.Set64(n)
	}
	return n, err
}

// countingWriter reports what is written through it to a bar.
type countingWriter struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if c.bar != nil {
		c.bar.Add(n)
	}
	return n, err
}

// writeIndentedJSON writes v as indented JSON and a newline.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
