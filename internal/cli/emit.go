package cli

import (
	"github.com/platc-dev/platc/compiler/emit"
	"github.com/platc-dev/platc/providers/catalog"
	"github.com/platc-dev/platc/providers/gitops"
	"github.com/platc-dev/platc/providers/pulumi"
)

// emitters are the outputs render, plan and apply write, in order. Adding
// an output is a package that implements emit.Emitter and one line here.
func emitters() []emit.Emitter {
	return []emit.Emitter{
		gitops.Emitter{},
		catalog.Emitter{},
		catalog.CodeOwners{},
		pulumi.Emitter{Version: version},
	}
}

// newCollector returns a sink that keeps the rendered tree in memory, for
// the commands that compare it or write it later.
func newCollector() *emit.Tree {
	holdsTree()
	return &emit.Tree{}
}
