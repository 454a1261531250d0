package load

import (
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/errors"
)

// MaxNesting is how deeply a spec may nest values: every struct (braced,
// or implied by a chain of labels as in a: b: c: 1), every list and every
// clause of a comprehension opens a level. The shipped examples and
// blueprints reach 7 levels and the embedded schema 3, so 100 is never
// reached by a real spec. Deeper input is refused before evaluation: CUE
// and the error walk of [validate] take time that grows faster than the
// depth (a value 2,000 levels deep took seconds, 5,000 did not finish).
const MaxNesting = 100

// MaxExprDepth is how deeply the syntax tree of a spec may nest in all,
// counting every operator, operand, parenthesis, call, selector and index
// as well as the levels of [MaxNesting]. The shipped specs reach 17 and
// the embedded schema 24. It bounds what [MaxNesting] does not: a chain of
// binary operators (1 + 1 + … or a disjunction "a" | "b" | …) parses into
// a tree as deep as it is long, which CUE evaluates in time quadratic in
// its length (100,000 terms did not finish in 100 s).
const MaxExprDepth = 1000

// checkDepth returns an error at the first node of f that is nested more
// deeply than [MaxNesting] or [MaxExprDepth], nil when there is none. It
// stops descending at that node, so it costs no more than the walk down to
// the bound.
func checkDepth(f *ast.File) errors.Error {
	var (
		nest, depth int
		err         errors.Error
	)
	levels := func(n ast.Node) int {
		switch n := n.(type) {
		case *ast.StructLit, *ast.ListLit:
			return 1
		case *ast.Comprehension:
			return len(n.Clauses)
		}
		return 0
	}
	before := func(n ast.Node) bool {
		if err != nil {
			return false
		}
		if _, ok := n.(*ast.File); ok {
			return true
		}
		l := levels(n)
		switch {
		case nest+l > MaxNesting:
			pos := n.Pos()
			if c, ok := n.(*ast.Comprehension); ok {
				pos = c.Clauses[MaxNesting-nest].Pos()
			}
			err = errors.Newf(pos, "value nested more than %d levels deep: each struct, list and comprehension clause opens a level, and a platc spec needs fewer than 10; flatten the value into sibling fields or a list of structs", MaxNesting)
			return false
		case depth+1 > MaxExprDepth:
			err = errors.Newf(n.Pos(), "expression nested more than %d levels deep: each operator, operand, parenthesis, call and selector opens a level; split the expression into fields or let clauses of a few terms each", MaxExprDepth)
			return false
		}
		nest += l
		depth++
		return true
	}
	after := func(n ast.Node) {
		if _, ok := n.(*ast.File); ok {
			return
		}
		nest -= levels(n)
		depth--
	}
	ast.Walk(f, before, after)
	return err
}
