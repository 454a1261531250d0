package load

import (
	"errors"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
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
// deeply than [MaxNesting] or [MaxExprDepth], or at the first number
// literal out of range (see [numberInRange]), nil when there is none. It
// stops descending at that node, so it costs no more than the walk down to
// the bound.
func checkDepth(f *ast.File) cueerrors.Error {
	var (
		nest, depth int
		err         cueerrors.Error
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
			err = cueerrors.Newf(pos, "value nested more than %d levels deep: each struct, list and comprehension clause opens a level, and a platc spec needs fewer than 10; flatten the value into sibling fields or a list of structs", MaxNesting)
			return false
		case depth+1 > MaxExprDepth:
			err = cueerrors.Newf(n.Pos(), "expression nested more than %d levels deep: each operator, operand, parenthesis, call and selector opens a level; split the expression into fields or let clauses of a few terms each", MaxExprDepth)
			return false
		}
		if lit, ok := n.(*ast.BasicLit); ok && (lit.Kind == token.INT || lit.Kind == token.FLOAT) {
			if msg := numberInRange(lit.Value); msg != "" {
				err = cueerrors.Newf(lit.Pos(), "%s", msg)
				return false
			}
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

// numberInRange returns why the number literal s is refused, "" when it is
// not. CUE's decimals drop an exponent they cannot hold without a word
// (1e999999999 evaluates as 1, and passes a bound of <=1e6), so a literal
// must fit a 64-bit float, as every number platc reads does: a magnitude
// below about 1.8e308, and not so small that it rounds to zero.
func numberInRange(s string) string {
	var ni literal.NumInfo
	if literal.ParseNum(s, &ni) != nil {
		return "" // the parser accepted it; CUE reports its own error
	}
	n := ni.String()
	f, err := strconv.ParseFloat(n, 64)
	mantissa, _, _ := strings.Cut(strings.ToLower(n), "e")
	if errors.Is(err, strconv.ErrRange) || f == 0 && strings.ContainsAny(mantissa, "123456789") {
		return "number " + s + " is out of range: a platc number must fit a 64-bit float (a magnitude below about 1.8e308, and not so small that it rounds to 0); write the value in the unit the field documents"
	}
	return ""
}
