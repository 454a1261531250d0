package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/platc-dev/platc/compiler/diag"
)

// outputFormat is the -o flag of commands that report findings.
type outputFormat string

const (
	formatText outputFormat = "text"
	formatJSON outputFormat = "json"
)

var findingFormats = []outputFormat{formatText, formatJSON}

func (f outputFormat) validate(allowed []outputFormat) error {
	if slices.Contains(allowed, f) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return usageError("unknown output format %q: want one of %s", f, strings.Join(names, ", "))
}

// report writes the diagnostics in the chosen format: text goes to
// stderr (diagnostics), machine formats to stdout (data). It returns the
// error that sets the exit code.
func report(g *globals, format outputFormat, ds diag.Diagnostics, failOnWarn bool) error {
	ds = ds.Rel(g.base()).Sorted()
	var err error
	switch format {
	case formatJSON:
		err = diag.WriteJSON(g.cfg.Stdout, ds)
	default:
		err = writeText(g.cfg.Stderr, ds)
	}
	if err != nil {
		return &ExitErr{Code: ExitError, Err: fmt.Errorf("write report: %w", err)}
	}
	errs, warns := ds.Count()
	if errs > 0 || failOnWarn && warns > 0 {
		return findings()
	}
	return nil
}

func writeText(w io.Writer, ds diag.Diagnostics) error {
	if len(ds) == 0 {
		return nil
	}
	if err := diag.WriteText(w, ds); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, diag.SummaryLine(ds))
	return err
}
