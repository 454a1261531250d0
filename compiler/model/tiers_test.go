package model_test

import (
	"slices"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/schema"
)

// TestTiersMatchSchema keeps model.Tiers, which --tier is checked
// against, equal to the schema's #Tier.
func TestTiersMatchSchema(t *testing.T) {
	inst, err := schema.Instance()
	if err != nil {
		t.Fatal(err)
	}
	v := cuecontext.New().BuildInstance(inst)
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	tier := v.LookupPath(cue.ParsePath("#Tier"))
	op, args := tier.Expr()
	if op != cue.OrOp {
		t.Fatalf("#Tier is %v, want a disjunction of strings", op)
	}
	var got []string
	for _, a := range args {
		s, err := a.String()
		if err != nil {
			t.Fatalf("#Tier has a disjunct that is not a string: %v", err)
		}
		got = append(got, s)
	}
	if !slices.Equal(got, model.Tiers) {
		t.Errorf("#Tier is %q, model.Tiers is %q", got, model.Tiers)
	}
}
