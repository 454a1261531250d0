package diag

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteText writes one line per diagnostic in the form
//
//	FILE:LINE:COL: SEVERITY RULE: message
//
// followed by the related positions, indented, and a summary line.
func WriteText(w io.Writer, ds Diagnostics) error {
	for _, d := range ds {
		if _, err := fmt.Fprintf(w, "%s: %s %s: %s\n", d.Pos, d.Severity, d.Rule, d.Message); err != nil {
			return err
		}
		for _, r := range d.Related {
			fmt.Fprintf(w, "    %s\n", r)
		}
		if d.Hint != "" {
			fmt.Fprintf(w, "    hint: %s\n", d.Hint)
		}
	}
	return nil
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
