package schema

import (
	"embed"
	"io/fs"
	"slices"
)

// ImportPath is the path users' CUE files import the schema by.
const ImportPath = "platc.dev/schema"

//go:embed *.cue cue.mod/module.cue
var files embed.FS

// FS returns the schema's files: the *.cue sources and cue.mod/module.cue.
func FS() fs.FS { return files }

// File is one source file of the schema.
type File struct {
	Name string
	Src  []byte
}

// Sources returns the schema's .cue files in name order.
func Sources() []File {
	entries, err := fs.Glob(files, "*.cue")
	if err != nil {
		panic(err) // the pattern is constant
	}
	slices.Sort(entries)
	out := make([]File, 0, len(entries))
	for _, name := range entries {
		src, err := files.ReadFile(name)
		if err != nil {
			panic(err) // embedded files are always readable
		}
		out = append(out, File{Name: name, Src: src})
	}
	return out
}
