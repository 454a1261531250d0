// Package diag is the diagnostics list every stage of platc reports into:
// schema errors, policy findings and load problems, each with a rule ID and
// the position in the user's files. A nil list means no problems.
package diag

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Severity orders findings; errors fail a run, warnings do not (unless
// --fail-on-warn).
type Severity int

const (
	Error Severity = iota
	Warning
	Info
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "info"
	}
}

// MarshalText encodes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = Error
	case "warning", "warn":
		*s = Warning
	case "info", "note":
		*s = Info
	default:
		return fmt.Errorf("unknown severity %q", b)
	}
	return nil
}

// Pos is a position in a source file. File is as the loader saw it
// (absolute); [Pos.Rel] makes it relative for display.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// IsValid reports whether p names a file.
func (p Pos) IsValid() bool { return p.File != "" }

// Rel returns p with its file relative to base where that is shorter.
func (p Pos) Rel(base string) Pos {
	if p.File == "" || base == "" || !filepath.IsAbs(p.File) {
		return p
	}
	if r, err := filepath.Rel(base, p.File); err == nil && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		p.File = r
	}
	return p
}

func (p Pos) String() string {
	switch {
	case p.File == "":
		return "-"
	case p.Line == 0:
		return p.File
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	}
}

// Diagnostic is one problem: what is wrong, where, and under which rule.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	// Rule is the stable ID of the check that found the problem.
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Path is the spec path the problem is about, "teams.vision.quotas.prod".
	Path string `json:"path,omitempty"`
	Pos  Pos    `json:"pos"`
	// Related are further positions involved, such as the other side of a conflict.
	Related []Pos `json:"related,omitempty"`
	// Hint says what to do about it.
	Hint string `json:"hint,omitempty"`
}

// Diagnostics is a list of problems. The zero value is an empty list.
type Diagnostics []Diagnostic

// Errorf appends an error diagnostic.
func (ds *Diagnostics) Errorf(pos Pos, rule, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Severity: Error, Rule: rule, Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// Append adds diagnostics.
func (ds *Diagnostics) Append(more ...Diagnostic) { *ds = append(*ds, more...) }

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of errors and warnings.
func (ds Diagnostics) Count() (errs, warns int) {
	for _, d := range ds {
		switch d.Severity {
		case Error:
			errs++
		case Warning:
			warns++
		}
	}
	return errs, warns
}

// Compare orders diagnostics by file, line, column, severity, rule and message.
func Compare(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.Pos.File, b.Pos.File),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Column, b.Pos.Column),
		cmp.Compare(a.Severity, b.Severity),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Message, b.Message),
	)
}

// Sorted returns the diagnostics sorted by position with exact duplicates removed.
func (ds Diagnostics) Sorted() Diagnostics {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, Compare)
	return slices.CompactFunc(out, func(a, b Diagnostic) bool {
		return Compare(a, b) == 0 && slices.Equal(a.Related, b.Related)
	})
}

// Rel returns a copy with every position relative to base.
func (ds Diagnostics) Rel(base string) Diagnostics {
	out := make(Diagnostics, len(ds))
	for i, d := range ds {
		d.Pos = d.Pos.Rel(base)
		if len(d.Related) > 0 {
			rel := make([]Pos, len(d.Related))
			for j, r := range d.Related {
				rel[j] = r.Rel(base)
			}
			d.Related = rel
		}
		out[i] = d
	}
	return out
}
