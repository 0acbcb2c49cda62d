package bench

import "encoding/csv"
import "encoding/json"
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
	input = "Question " + strconv.Itoa(i) + ": a customer asks whether order #" + strconv.Itoa(i*7919%1_000_003) +
		" can still be returned after " + strconv.Itoa(i%90) + " days."
	if padTo > len(input)+60 {
		var b strings.Builder
		b.WriteString(input)
		b.WriteString(" Context:")
		for b.Len() < padTo-60 {
			b.WriteString(" lorem ipsum dolor sit amet")
		}
		input = b.String()
	}
	if i%3 == 0 {
		return input, "No: returns close after 30 days."
	}
	return input, "Yes, within 30 days, with the receipt."
}

// line appends item i as one line of the file.
func (f *ItemFile) line(b []byte, i int) []byte {
	input, gt := itemText(i, f.PadTo)
	if f.Format == "csv" {
		f.csvBuf.Reset()
		if f.csvW == nil {
			f.csvW = csv.NewWriter(&f.csvBuf)
		}
		f.csvW.Write([]string{input, gt})
		f.csvW.Flush()
		return append(b, f.csvBuf.String()...)
	}
	b = append(b, `{"input":`...)
	b, _ = appendJSONString(b, input)
	b = append(b, `,"ground_truth":`...)
	b, _ = appendJSONString(b, gt)
	return append(b, "}\n"...)
}

func appendJSONString(b []byte, s string) ([]byte, error) {
	enc, err := json.Marshal(s)
	return append(b, enc...), err
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
