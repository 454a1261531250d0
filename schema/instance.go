package schema

import (
	"fmt"
	"path"

	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/parser"
)

// Instance parses the embedded schema into a build instance that users'
// files can import as [ImportPath]. Each call returns a new instance, for
// one cue.Context.
func Instance() (*build.Instance, error) {
	inst := build.NewContext().NewInstance("", nil)
	inst.ImportPath = ImportPath
	inst.PkgName = "schema"
	for _, f := range Sources() {
		syn, err := parser.ParseFile(path.Join(ImportPath, f.Name), f.Src)
		if err != nil {
			return nil, fmt.Errorf("parse schema: %w", err)
		}
		if err := inst.AddSyntax(syn); err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
	}
	return inst, nil
}
