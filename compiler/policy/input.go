package policy

import (
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/platc-dev/platc/compiler/model"
)

// Input is the policy input: the normalised spec with now and inventory,
// as the OPA value handed to the prepared query.
type Input struct {
	Value ast.Value
}

// NewInput builds the input document from the decoded spec.
func NewInput(spec *model.Spec, now time.Time, inventory any) (*Input, error) {
	v, err := astValue(reflect.ValueOf(spec))
	if err != nil {
		return nil, fmt.Errorf("encode policy input: %w", err)
	}
	doc, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("encode policy input: the spec encodes as %s, not an object", ast.ValueName(v))
	}
	doc.Insert(ast.StringTerm("now"), ast.StringTerm(now.UTC().Format(time.RFC3339)))
	inv := ast.Value(ast.NewObject())
	if inventory != nil {
		if inv, err = astValue(reflect.ValueOf(inventory)); err != nil {
			return nil, fmt.Errorf("encode policy input: %w", err)
		}
	}
	doc.Insert(ast.StringTerm("inventory"), ast.NewTerm(inv))
	return &Input{Value: doc}, nil
}

// Has reports whether labels name a value in the input, or a missing field
// of an object that is there (a finding may point at what is absent).
func (in *Input) Has(labels []string) bool {
	cur := in.Value
	for i, l := range labels {
		switch c := cur.(type) {
		case ast.Object:
			next := c.Get(ast.StringTerm(l))
			if next == nil {
				return i == len(labels)-1
			}
			cur = next.Value
		case *ast.Array:
			n, err := strconv.Atoi(l)
			if err != nil || n < 0 || n >= c.Len() {
				return false
			}
			cur = c.Elem(n).Value
		default:
			return false
		}
	}
	return true
}
