package cli

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/providers/catalog"
	"github.com/platc-dev/platc/providers/gitops"
	"github.com/platc-dev/platc/providers/pulumi"
)

// emitAll runs every emitter over the plan, handing each file (a slash
// path relative to --out) to put, from several goroutines at once; put
// must not keep the bytes.
func emitAll(p *plan.Plan, put func(path string, b []byte) error) error {
	if err := gitops.EmitTo(p, put); err != nil {
		return fmt.Errorf("render GitOps tree: %w", err)
	}
	cat, err := catalog.Emit(p)
	if err != nil {
		return fmt.Errorf("render catalog: %w", err)
	}
	stacks, err := pulumi.Emit(p, version)
	if err != nil {
		return fmt.Errorf("render Pulumi stacks: %w", err)
	}
	for _, files := range []map[string][]byte{cat, stacks} {
		for _, name := range slices.Sorted(maps.Keys(files)) {
			if err := put(name, files[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// collector is a put for emitAll that keeps the tree in memory, for the
// commands that compare it or write it later.
type collector struct {
	mu   sync.Mutex
	tree map[string][]byte
}

func newCollector() *collector {
	holdsTree()
	return &collector{tree: map[string][]byte{}}
}

func (c *collector) put(path string, b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tree[path] = bytes.Clone(b)
	return nil
}
