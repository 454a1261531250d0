package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at link time: -ldflags "-X github.com/platc-dev/platc/internal/cli.version=v0.1.0".
var version = ""

// components are the engines inside platc whose versions `platc version` reports.
var components = []struct{ name, module string }{
	{"cue", "cuelang.org/go"},
	{"opa", "github.com/open-policy-agent/opa"},
	{"pulumi", "github.com/pulumi/pulumi/sdk/v3"},
}

type versionInfo struct {
	Version    string            `json:"version"`
	Go         string            `json:"go"`
	Components map[string]string `json:"components"`
}

func buildVersion() versionInfo {
	v := versionInfo{Version: version, Go: runtime.Version(), Components: map[string]string{}}
	bi, ok := debug.ReadBuildInfo()
	if v.Version == "" {
		v.Version = "(devel)"
		if ok && bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
	}
	if ok {
		for _, c := range components {
			for _, dep := range bi.Deps {
				if dep.Path == c.module {
					if dep.Replace != nil {
						dep = dep.Replace
					}
					v.Components[c.name] = dep.Version
				}
			}
		}
	}
	return v
}

func newVersionCmd(g *globals) *cobra.Command {
	var output formatFlag
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of platc and of the CUE, OPA and Pulumi engines inside it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := buildVersion()
			w := g.cfg.Stdout
			switch output.value {
			case formatJSON:
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			case formatText:
				fmt.Fprintf(w, "platc %s (%s)\n", v.Version, v.Go)
				for _, c := range components {
					if ver, ok := v.Components[c.name]; ok {
						fmt.Fprintf(w, "  %-7s %s\n", c.name, ver)
					}
				}
				if len(v.Components) == 0 {
					// Test binaries carry no module information.
					fmt.Fprintf(w, "  (engine versions unknown: built without module information)\n")
				}
			}
			return nil
		},
	}
	output.register(cmd.Flags(), "", formatText, formatJSON)
	return cmd
}
