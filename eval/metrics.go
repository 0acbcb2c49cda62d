// Package eval owns the evaluators: the deterministic metrics, the client of
// an OpenAI-compatible LLM (the Responses API), the scoring of one item by one
// evaluator, and the runner that scores every item of a dataset and hands
// the results to the store.
package eval

import "math"
import "strings"

// The metrics are Lunary's (packages/backend/src/evaluators), on whitespace
// tokens, with one fix: a hypothesis token matches at most as many times as
// the reference holds it (the clipped counts of BLEU-1 and ROUGE-1), so that
// repeating a word cannot raise a score, and every score is in [0, 1].

// tokens splits text on white space.
func tokens(s string) []string { return strings.Fields(s) }

// matches counts the hypothesis tokens found in the reference, each reference
// token matching once.
func matches(ref, hyp []string) int {
	left := make(map[string]int, len(ref))
	for _, t := range ref {
		left[t]++
	}
	n := 0
	for _, t := range hyp {
		if left[t] > 0 {
			left[t]--
			n++
		}
	}
	return n
}

// BLEU is unigram precision: the share of the hypothesis's tokens found in
// the reference. An empty hypothesis scores 0.
func BLEU(reference, hypothesis string) float64 {
	ref, hyp := tokens(reference), tokens(hypothesis)
	if len(hyp) == 0 {
		return 0
	}
	return float64(matches(ref, hyp)) / float64(len(hyp))
}

// ROUGE is unigram recall: matched hypothesis tokens over the reference's
// tokens. An empty reference scores 0.
func ROUGE(reference, hypothesis string) float64 {
	ref, hyp := tokens(reference), tokens(hypothesis)
	if len(ref) == 0 {
		return 0
	}
	return float64(matches(ref, hyp)) / float64(len(ref))
}

// GLEU is the geometric mean of unigram precision and recall.
func GLEU(reference, hypothesis string) float64 {
	ref, hyp := tokens(reference), tokens(hypothesis)
	if len(ref) == 0 || len(hyp) == 0 {
		return 0
	}
	m := float64(matches(ref, hyp))
	precision, recall := m/float64(len(hyp)), m/float64(len(ref))
	if precision == 0 || recall == 0 {
		return 0
	}
	return math.Sqrt(precision * recall)
}

// Cosine is the cosine similarity of the two texts' token frequencies.
func Cosine(reference, hypothesis string) float64 {
	ref, hyp := tokens(reference), tokens(hypothesis)
	if len(ref) == 0 || len(hyp) == 0 {
		return 0
	}
	fr, fh := map[string]float64{}, map[string]float64{}
	for _, t := range ref {
		fr[t]++
	}
	for _, t := range hyp {
		fh[t]++
	}
	var dot, mr, mh float64
	for t, x := range fr {
		dot += x * fh[t]
		mr += x * x
	}
	for _, y := range fh {
		mh += y * y
	}
	return dot / math.Sqrt(mr*mh)
}

// MaxFuzzyRunes bounds each text the fuzzy metric compares: an edit
// distance takes time in the product of the two lengths (two texts of
// 10,000 characters: about half a second), so longer ones get an error
// result instead of holding a worker for hours.
const MaxFuzzyRunes = 10_000

// Fuzzy is the Levenshtein ratio (max-distance)/max over characters: 1 for
// equal texts (two empty ones included), 0 when one is empty.
func Fuzzy(reference, hypothesis string) float64 {
	a, b := []rune(reference), []rune(hypothesis)
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	d := Levenshtein(a, b)
	longest := max(len(a), len(b))
	return float64(longest-d) / float64(longest)
}

// Levenshtein is the edit distance between a and b: insertions, deletions
// and substitutions of one rune each.
func Levenshtein(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// similarityMethods are the text-similarity methods, the default first.
var similarityMethods = []string{"cosine", "bleu", "gleu", "rouge", "fuzzy"}

// similarity is a metric by its text-similarity method name.
var similarity = map[string]func(reference, hypothesis string) float64{
	"cosine": Cosine,
	"bleu":   BLEU,
	"rouge":  ROUGE,
	"gleu":   GLEU,
	"fuzzy":  Fuzzy,
}
