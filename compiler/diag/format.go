package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WriteText writes one line per diagnostic in the form
//
//	FILE:LINE:COL: SEVERITY RULE: message
//
// (without the position when it has none, as a note about the whole spec),
// followed by the related positions, indented, and the hint. File
// names, rules, messages and hints come from the user's files and
// policies: their control characters are written escaped ([Printable]),
// so that a finding is always one line and cannot forge another, nor a
// CI workflow command, nor move a terminal's cursor.
func WriteText(w io.Writer, ds Diagnostics) error {
	for _, d := range ds {
		if d.Pos.File != "" {
			fmt.Fprintf(w, "%s: ", Printable(d.Pos.String()))
		}
		if _, err := fmt.Fprintf(w, "%s %s: %s\n", d.Severity, Printable(d.Rule), Printable(d.Message)); err != nil {
			return err
		}
		for _, r := range d.Related {
			fmt.Fprintf(w, "    %s\n", Printable(r.String()))
		}
		if d.Hint != "" {
			fmt.Fprintf(w, "    hint: %s\n", Printable(d.Hint))
		}
	}
	return nil
}

// Printable returns s with what a terminal or a CI log would not show as
// text escaped Go-style: line breaks and other control characters (\n,
// \r, \x1b, \u0085), the Unicode line and paragraph separators, the
// bidirectional formatting characters that reorder what is shown (\u202e),
// and bytes that are not UTF-8 (\xff). A tab, a backslash and printable
// text are left as they are, so ordinary text looks the same.
func Printable(s string) string {
	i := firstUnprintable(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for s = s[i:]; s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case !unprintable(r):
			b.WriteString(s[:n])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		s = s[n:]
	}
	return b.String()
}

// firstUnprintable returns the index of the first byte of s that
// [Printable] escapes, or -1.
func firstUnprintable(s string) int {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unprintable(r) {
			return i
		}
		i += n
	}
	return -1
}

// unprintable reports whether [Printable] escapes r.
func unprintable(r rune) bool {
	switch {
	case r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	case r == '\u2028', r == '\u2029': // line and paragraph separators
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\u200e', r == '\u200f', r == '\u061c':
		return true // bidirectional formatting
	}
	return false
}

// Summary is the count of findings by severity.
type Summary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// Report is the JSON document of a run: `-o json`.
type Report struct {
	Findings Diagnostics `json:"findings"`
	Summary  Summary     `json:"summary"`
}

// NewReport builds the JSON report for ds.
func NewReport(ds Diagnostics) Report {
	if ds == nil {
		ds = Diagnostics{}
	}
	e, w := ds.Count()
	return Report{Findings: ds, Summary: Summary{Errors: e, Warnings: w}}
}

// WriteJSON writes the JSON report, indented.
func WriteJSON(w io.Writer, ds Diagnostics) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewReport(ds))
}

// SummaryLine is the closing line of text output.
func SummaryLine(ds Diagnostics) string {
	e, w := ds.Count()
	return fmt.Sprintf("%s, %s", plural(e, "error"), plural(w, "warning"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
