package rules

import "io"
import "math/rand/v2"
import "testing"
import "testing/iotest"

// chunked reads data in pieces of random length, as a body arrives.
type chunked struct {
	data []byte
	rnd  *rand.Rand
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.rnd.IntN(5))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// TestBodyReaderUTF8 checks a body's UTF-8 however its characters are split
// between reads.
func TestBodyReaderUTF8(t *testing.T) {
	for _, c := range []struct {
		body  string
		valid bool
	}{
		{"plain ascii", true},
		{"é, 中文, 🙂 and ∑ split anywhere", true},
		{"🙂🙂🙂🙂", true},
		{"", true},
		{"bad \xff byte", false},
		{"overlong \xc0\xaf", false},
		{"surrogate \xed\xa0\x80", false},
		{"cut at the end \xf0\x9f\x99", false},
		{"\xe2\x82", false},
		{"continuation first \x80abc", false},
	} {
		for seed := range uint64(20) {
			b := &BodyReader{r: &chunked{data: []byte(c.body), rnd: rand.New(rand.NewPCG(seed, 1))}}
			got, err := io.ReadAll(b)
			if c.valid && (err != nil || string(got) != c.body) {
				t.Fatalf("%q (seed %d): %q, %v", c.body, seed, got, err)
			}
			if !c.valid && err != ErrNotUTF8 {
				t.Fatalf("%q (seed %d): err = %v, want ErrNotUTF8", c.body, seed, err)
			}
		}
	}
	// A one-byte reader is the worst split of all.
	if err := iotest.TestReader(&BodyReader{r: iotest.OneByteReader(&chunked{data: []byte("é🙂x"), rnd: rand.New(rand.NewPCG(1, 1))})}, []byte("é🙂x")); err != nil {
		t.Fatal(err)
	}
}
