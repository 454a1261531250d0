// Command synth writes a synthetic organisation for benchmarks:
//
//	go run ./internal/synth/cmd/synth -teams 1000 -out /tmp/org
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/platc-dev/platc/internal/synth"
)

func main() {
	teams := flag.Int("teams", 1000, "number of teams")
	out := flag.String("out", "", "directory to write (must not exist)")
	hcl := flag.Bool("hcl", false, "write the team files in HCL")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synth: -out DIR is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "synth: %s exists; choose a new directory\n", *out)
		os.Exit(2)
	}
	if err := synth.Write(*out, synth.Config{Teams: *teams, HCL: *hcl}); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(2)
	}
}
