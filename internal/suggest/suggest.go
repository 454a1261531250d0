// Package suggest finds the name a user probably meant, for "did you mean"
// hints on misspelt fields, references and rule IDs.
package suggest

import (
	"slices"
	"strings"
)

// Closest returns the candidate nearest to s by edit distance, ignoring
// case, when it is near enough to be a plausible misspelling; otherwise "".
// Ties go to the candidate that sorts first.
func Closest(s string, candidates []string) string {
	sorted := slices.Sorted(slices.Values(candidates))
	best, bestD := "", len(s)/2+2
	for _, c := range sorted {
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
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
