// Package blueprints embeds the starter specs that `platc init --blueprint`
// copies into a new spec repository.
package blueprints

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed all:ai-foundation-90d
var files embed.FS

// Default is the blueprint `platc init` uses when none is named.
const Default = "ai-foundation-90d"

// Names lists the embedded blueprints.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

// Files returns the files of the named blueprint, keyed by slash path
// relative to the blueprint's root.
func Files(name string) (map[string][]byte, error) {
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("unknown blueprint %q: choose one of %s", name, strings.Join(Names(), ", "))
	}
	out := map[string][]byte{}
	err := fs.WalkDir(files, name, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		out[strings.TrimPrefix(p, name+"/")] = b
		return nil
	})
	return out, err
}
