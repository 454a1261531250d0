// Package policy is platc's second validation layer: Rego policies,
// built-in and the user's, compiled once and evaluated in-process with OPA
// against the normalised spec. Findings come back as diagnostics
// positioned at the spec path each finding names.
package policy

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Source is one Rego file.
type Source struct {
	// Name is the path shown in diagnostics: "builtin/policies/x.rego" for
	// built-ins, the file's path for the user's.
	Name    string
	Src     []byte
	Builtin bool
}

// IsTest reports whether the file holds Rego unit tests.
func (s Source) IsTest() bool { return strings.HasSuffix(s.Name, "_test.rego") }

// BuiltinPrefix names built-in policy files in diagnostics.
const BuiltinPrefix = "builtin/policies/"

// Sources collects the built-in policies from builtin and the user's from
// each directory in dirs (recursively; a missing directory is an error
// unless optional says so). Files are returned in a stable order.
func Sources(builtin fs.FS, dirs []string, optional map[string]bool) ([]Source, error) {
	var out []Source
	if builtin != nil {
		err := fs.WalkDir(builtin, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
				return err
			}
			b, err := fs.ReadFile(builtin, p)
			if err != nil {
				return err
			}
			out = append(out, Source{Name: path.Join(BuiltinPrefix, p), Src: b, Builtin: true})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read built-in policies: %w", err)
		}
	}
	for _, dir := range dirs {
		st, err := os.Stat(dir)
		if err != nil {
			if os.IsNotExist(err) && optional[dir] {
				continue
			}
			return nil, fmt.Errorf("policy directory %s: %w", dir, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("policy directory %s is not a directory", dir)
		}
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != dir && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".rego") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, Source{Name: p, Src: b})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read policies: %w", err)
		}
	}
	slices.SortStableFunc(out, func(a, b Source) int { return strings.Compare(a.Name, b.Name) })
	return slices.CompactFunc(out, func(a, b Source) bool { return a.Name == b.Name }), nil
}
