// Package policies embeds platc's built-in Rego policies, so that they are
// part of the binary and obey exactly the contract users' policies obey.
package policies

import (
	"embed"
	"io/fs"
)

//go:embed *
var files embed.FS

// FS returns the built-in policies: *.rego modules, their *_test.rego
// tests and the shared lib/ modules.
func FS() fs.FS { return files }
