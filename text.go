package strata

import "bytes"
import "encoding/json"
import "fmt"
import "unicode"

import "golang.org/x/text/unicode/norm"

// CleanName returns a dataset's or an evaluator's name in the one form it
// is stored and compared in: Unicode NFC, so that "é" typed as one code point or as "e"
// and a combining accent is one name. Names that hold a control character
// (tab, newline, ...) or an invisible format character (zero-width space and
// joiners, bidirectional controls, soft hyphen, BOM) are refused: two names
// that look the same must be the same name.
func CleanName(name string) (string, error) {
	if err := CheckText("name", name); err != nil {
		return "", err
	}
	name = norm.NFC.String(name)
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", Errorf(EINVALID, "name contains an invisible or control character (%s)", codePoint(r))
		}
	}
	return name, nil
}

func codePoint(r rune) string { return fmt.Sprintf("U+%04X", r) }

// CheckJSONText is CheckText for every string of a JSON value, keys
// included: a JSON escape (\u0000) gives a NUL that the raw text does not
// show.
func CheckJSONText(field string, raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	if err := CheckText(field, string(raw)); err != nil {
		return err
	}
	if !bytes.Contains(raw, []byte(`\u`)) {
		return nil // no escape: the text check saw every character
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or JSON the caller validates itself
		}
		if s, ok := tok.(string); ok {
			if err := CheckText(field, s); err != nil {
				return err
			}
		}
	}
}
