package strata

import "strconv"
import "strings"
import "unicode"

import "github.com/google/uuid"
import "golang.org/x/text/unicode/norm"

// A slug names a dataset in URLs and on command lines: Lunary's SDKs read a
// dataset by it (GET /v1/datasets/{slug}), and `strata pull qa-set` reads
// better than a UUID. It is unique within its project, made once from the
// name when the dataset is created, and from then on the user's: renaming the
// dataset leaves it alone, restore keeps it, and PATCH {"slug"} changes it.
//
// A slug is 1 to MaxSlugLength lowercase ASCII letters, digits and single
// hyphens, neither starting nor ending with one, and never reads as a UUID (a
// dataset id is accepted wherever a slug is, so the two must not collide).
// MakeSlug maps a name onto that alphabet; a clash takes the first free
// suffix -2, -3, ... (SlugCandidate).

// MaxSlugLength bounds a slug, suffix included.
const MaxSlugLength = 64

// ErrSlugMalformed is the answer to a slug that ValidSlug refuses.
var ErrSlugMalformed = &Error{Code: EINVALID,
	Message: "Invalid slug: 1 to 64 lowercase letters, digits and single hyphens, not a UUID"}

// ErrSlugTaken is the answer to a slug that another dataset of the project has.
var ErrSlugTaken = &Error{Code: ECONFLICT, Message: "Dataset slug already exists in this project"}

// ValidSlug reports whether s is a well-formed slug.
func ValidSlug(s string) bool {
	if s == "" || len(s) > MaxSlugLength || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	_, err := uuid.Parse(s)
	return err != nil
}

// MakeSlug returns the slug a dataset named name starts with: the name
// spelt in ASCII where it has a spelling there, lower-cased (accents
// dropped, "ß" as "ss": "Crème brûlée" is creme-brulee), every run of
// other characters than ASCII letters and digits made one hyphen, trimmed
// to MaxSlugLength; "dataset" when nothing is left.
func MakeSlug(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(asciiSpelling(name)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			if b.Len() >= MaxSlugLength {
				break
			}
			continue
		}
		hyphen = true
	}
	s := strings.TrimRight(b.String()[:min(b.Len(), MaxSlugLength)], "-")
	if !ValidSlug(s) {
		return "dataset"
	}
	return s
}

// SlugCandidate returns the n-th slug to try for base: base itself for n = 1,
// then base-2, base-3, ..., base cut so that the suffix fits.
func SlugCandidate(base string, n int) string {
	if n <= 1 {
		return base
	}
	suffix := "-" + strconv.Itoa(n)
	if len(base)+len(suffix) > MaxSlugLength {
		base = strings.TrimRight(base[:MaxSlugLength-len(suffix)], "-")
	}
	return base + suffix
}

// asciiSpelling spells s's letters in ASCII where they have a spelling
// there: decomposed (NFKD: "é" is "e" and an accent, "ﬁ" is "fi"), accents
// dropped, and the letters that do not decompose but have a usual spelling
// (ß, æ, œ, ø, ł, đ, þ) spelt so. Other characters stay as they are.
func asciiSpelling(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if sp, ok := spellings[r]; ok {
			b.WriteString(sp)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var spellings = map[rune]string{'ß': "ss", 'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE", 'ø': "o", 'Ø': "O",
	'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'þ': "th", 'Þ': "TH"}
