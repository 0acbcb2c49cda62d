package api

import "testing"

// FuzzCursor decodes arbitrary cursors: a cursor either decodes to a
// position that encodes back to itself, or is refused; it never panics.
func FuzzCursor(f *testing.F) {
	for _, seed := range []string{"", encodeCursor(1, 0), encodeCursor(1<<40, 999), encodeCursor(3, 1<<31-1), encodeCursor(3, maxCursorSent), "!!", "bm90IGEgY3Vyc29y", "MTox", "LTE6MA"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, c string) {
		seq, sent, ok := decodeCursor(c)
		if !ok {
			return
		}
		if seq < 0 || sent < 0 {
			t.Fatalf("cursor %q decodes to a negative position (%d, %d)", c, seq, sent)
		}
		if again, _, ok2 := decodeCursor(encodeCursor(seq, sent)); !ok2 || again != seq {
			t.Fatalf("cursor %q: (%d, %d) does not survive a round trip", c, seq, sent)
		}
		// The cursor of the page after it is taken too, short of the
		// bound no dataset comes near.
		if _, _, ok := decodeCursor(encodeCursor(seq, sent+1000)); !ok && sent+1000 <= maxCursorSent {
			t.Fatalf("cursor %q: the next page's cursor (%d, %d) is refused", c, seq, sent+1000)
		}
	})
}
