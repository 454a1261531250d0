package cli

import (
	"fmt"
	"maps"

	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/providers/catalog"
	"github.com/platc-dev/platc/providers/gitops"
	"github.com/platc-dev/platc/providers/pulumi"
)

// emitAll runs every emitter over the plan and returns the output tree,
// keyed by slash path relative to --out.
func emitAll(p *plan.Plan) (map[string][]byte, error) {
	tree, err := gitops.Emit(p)
	if err != nil {
		return nil, fmt.Errorf("render GitOps tree: %w", err)
	}
	out := map[string][]byte(tree)
	cat, err := catalog.Emit(p)
	if err != nil {
		return nil, fmt.Errorf("render catalog: %w", err)
	}
	maps.Copy(out, cat)
	stacks, err := pulumi.Emit(p, version)
	if err != nil {
		return nil, fmt.Errorf("render Pulumi stacks: %w", err)
	}
	maps.Copy(out, stacks)
	return out, nil
}
