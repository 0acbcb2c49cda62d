package bench

import "encoding/csv"
import "io"
import "strconv"
import "strings"

// ItemFile is a generated import file of n items, made line by line as it is
// read, so that a file of any size costs no memory. Every item is a short
// question with a ground truth; PadTo, when set, lengthens each input so that
// a line takes about that many bytes.
type ItemFile struct {
	Format string // "jsonl" or "csv"
	N      int    // items; <0 for no limit (with MaxBytes)
	// MaxBytes, when > 0, ends the file at the last whole line that fits.
	MaxBytes int64
	PadTo    int

	i      int
	header bool
	read   int64
	store  []byte // the current line
	buf    []byte // what of it is left to read
	csvBuf strings.Builder
	csvW   *csv.Writer
}

// itemText returns the content of item i.
func itemText(i, padTo int) (input, groundTruth string) {
	return string(appendInput(nil, i, padTo)), groundTruthOf(i)
}

// appendInput appends the input of item i: a short question, padded to
// about padTo-60 bytes when padTo is set. It holds letters, digits, spaces
// and ".,:#" only, so it is its own JSON string.
func appendInput(b []byte, i, padTo int) []byte {
	start := len(b)
	b = append(b, "Question "...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, ": a customer asks whether order #"...)
	b = strconv.AppendInt(b, int64(i*7919%1_000_003), 10)
	b = append(b, " can still be returned after "...)
	b = strconv.AppendInt(b, int64(i%90), 10)
	b = append(b, " days."...)
	if padTo > len(b)-start+60 {
		b = append(b, " Context:"...)
		for len(b)-start < padTo-60 {
			b = append(b, " lorem ipsum dolor sit amet"...)
		}
	}
	return b
}

func groundTruthOf(i int) string {
	if i%3 == 0 {
		return "No: returns close after 30 days."
	}
	return "Yes, within 30 days, with the receipt."
}

// line appends item i as one line of the file. A JSONL line is built in
// place: the generator must cost the client little next to the server it
// measures.
func (f *ItemFile) line(b []byte, i int) []byte {
	if f.Format == "csv" {
		input, gt := itemText(i, f.PadTo)
		f.csvBuf.Reset()
		if f.csvW == nil {
			f.csvW = csv.NewWriter(&f.csvBuf)
		}
		f.csvW.Write([]string{input, gt})
		f.csvW.Flush()
		return append(b, f.csvBuf.String()...)
	}
	b = append(b, `{"input":"`...)
	b = appendInput(b, i, f.PadTo)
	b = append(b, `","ground_truth":"`...)
	b = append(b, groundTruthOf(i)...)
	return append(b, "\"}\n"...)
}

// Read implements io.Reader. It fills p with as many lines as fit, as a
// file read from disk does: a client sending the file then writes it in
// chunks of its buffer's size, not of a line's.
func (f *ItemFile) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(f.buf) == 0 && !f.next() {
			break
		}
		c := copy(p[n:], f.buf)
		f.buf = f.buf[c:]
		f.read += int64(c)
		n += c
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// next makes the next line the one to read, and reports whether there is
// one.
func (f *ItemFile) next() bool {
	if f.Format == "csv" && !f.header {
		f.header = true
		f.store = append(f.store[:0], "input,ground_truth\n"...)
		f.buf = f.store
		return true
	}
	if f.N >= 0 && f.i >= f.N {
		return false
	}
	f.store = f.line(f.store[:0], f.i)
	if f.MaxBytes > 0 && f.read+int64(len(f.store)) > f.MaxBytes {
		return false
	}
	f.buf = f.store
	f.i++
	return true
}

// Items is how many items the file has yielded so far.
func (f *ItemFile) Items() int { return f.i }

// Bytes is how many bytes the file has yielded so far.
func (f *ItemFile) Bytes() int64 { return f.read }
