package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/platc-dev/platc/internal/outtree"
)

// outOptions are how render, docs and apply treat the output directory.
func outOptions(stderr io.Writer, out string, force bool) outtree.Options {
	return outtree.Options{
		Force: force,
		Waiting: func(holder string) {
			fmt.Fprintf(stderr, "platc: waiting for %s to finish writing %s\n", holder, out)
		},
	}
}

// writeError classifies an error writing the output directory out: files
// platc does not own in the way are findings (exit 1, --force overrides),
// anything else is an error (exit 2).
func writeError(out string, err error) error {
	if ce := (*outtree.ConflictError)(nil); errors.As(err, &ce) {
		return &ExitErr{Code: ExitFindings, Err: fmt.Errorf("write %s: %w", out, err)}
	}
	return fmt.Errorf("write %s: %w", out, err)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
