package validate

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/load"
	"github.com/platc-dev/platc/compiler/source"
	"github.com/platc-dev/platc/internal/suggest"
)

// convert turns CUE evaluation errors into diagnostics positioned in the
// user's files. v is the value the errors came from, used to suggest the
// field a misspelt one was meant to be.
func (e *evaluator) convert(pkg *load.Package, err error, v cue.Value) diag.Diagnostics {
	return e.convertAll(pkg, flatten(errors.Errors(err)), v)
}

func (e *evaluator) convertAll(pkg *load.Package, errs []cueError, v cue.Value) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, ce := range collapse(errs) {
		labels := unquoteAll(ce.path)
		msg := ce.msg

		var user, other []diag.Pos
		seen := map[diag.Pos]bool{}
		add := func(p diag.Pos) {
			if !p.IsValid() || seen[p] {
				return
			}
			seen[p] = true
			if isUserFile(pkg.Dir, p.File) {
				user = append(user, p)
			} else {
				other = append(other, p)
			}
		}
		for _, p := range ce.pos {
			add(source.Pos(p))
		}
		d := diag.Diagnostic{Severity: diag.Error, Rule: RuleSchema, Path: source.FormatPath(labels)}
		required := strings.Contains(msg, "field is required but not present")
		switch {
		case len(user) > 0 && !required:
			d.Pos, d.Related = user[0], append(user[1:], other...)
		default:
			// Nothing in the user's files is involved (a required field is
			// missing, a default does not fit): point at the nearest
			// enclosing field the user wrote.
			lookup := labels
			if required && len(lookup) > 0 {
				lookup = lookup[:len(lookup)-1]
			}
			d.Pos, _ = pkg.Index.Lookup(lookup)
			d.Related = append(user, other...)
		}
		if d.Path != "" {
			d.Message = d.Path + ": " + msg
		} else {
			d.Message = msg
		}
		d.Hint = hint(msg, labels, v)
		ds = append(ds, d)
	}
	return ds
}

// flatten converts CUE's errors.
func flatten(errs []errors.Error) []cueError {
	out := make([]cueError, 0, len(errs))
	for _, ce := range errs {
		format, args := ce.Msg()
		pos := append([]token.Pos{ce.Position()}, ce.InputPositions()...)
		out = append(out, cueError{path: ce.Path(), msg: fmt.Sprintf(format, args...), pos: pos})
	}
	return out
}

// walkErrors finds every error under v, which is at path sels (CUE
// selectors) of the unified spec. cue.Value.Validate reports a subtree's
// first real error and stops, and a struct with an error below it becomes
// an error itself; walking down to each field, through the labels the user
// wrote where a struct cannot be iterated, reports the errors of every
// team, service and environment at once.
func walkErrors(v cue.Value, sels []string, ix *source.Index, out *[]cueError) {
	before := len(*out)
	switch v.IncompleteKind() {
	case cue.StructKind:
		it, err := v.Fields(cue.Optional(true))
		if err != nil {
			break
		}
		for it.Next() {
			sel := it.Selector()
			if !sel.IsString() {
				continue
			}
			switch sel.ConstraintType() {
			case cue.OptionalConstraint:
				continue
			case cue.RequiredConstraint:
				path := append(slices.Clone(sels), cue.Str(sel.Unquoted()).String())
				*out = append(*out, cueError{path: path, msg: "field is required but not present", pos: []token.Pos{it.Value().Pos()}})
				continue
			}
			walkErrors(it.Value(), append(sels[:len(sels):len(sels)], cue.Str(sel.Unquoted()).String()), ix, out)
		}
		return
	case cue.ListKind:
		it, err := v.List()
		if err != nil {
			break
		}
		for i := 0; it.Next(); i++ {
			walkErrors(it.Value(), append(sels[:len(sels):len(sels)], strconv.Itoa(i)), ix, out)
		}
		return
	case cue.BottomKind:
		labels := unquoteAll(sels)
		for _, c := range ix.Children(labels) {
			child := v.LookupPath(cue.MakePath(cue.Str(c)))
			if child.Exists() {
				walkErrors(child, append(sels[:len(sels):len(sels)], cue.Str(c).String()), ix, out)
			}
		}
		if len(*out) > before {
			return
		}
	}
	if err := v.Validate(cue.Concrete(true)); err != nil {
		*out = append(*out, flatten(errors.Errors(err))...)
	}
}

func pathStrings(p cue.Path) []string {
	sels := p.Selectors()
	out := make([]string, len(sels))
	for i, s := range sels {
		out[i] = s.String()
	}
	return out
}

// cueError is one CUE error, flattened.
type cueError struct {
	path []string
	msg  string
	pos  []token.Pos
}

// collapse flattens CUE's errors and folds the alternatives of a failed
// disjunction into one error per path: the conflict between two user
// files when there is one, a type mismatch, or the list of formats the
// value matches none of.
func collapse(errs []cueError) []cueError {
	var out []cueError
	byPath := map[string][]int{}
	headers := map[string]bool{}
	for _, ce := range errs {
		key := strings.Join(ce.path, ".")
		if strings.Contains(ce.msg, "errors in empty disjunction") {
			headers[key] = true
			continue
		}
		byPath[key] = append(byPath[key], len(out))
		out = append(out, ce)
	}
	if len(headers) == 0 {
		return out
	}
	keep := make([]bool, len(out))
	for i := range keep {
		keep[i] = true
	}
	for key := range headers {
		idx := byPath[key]
		if len(idx) < 2 {
			continue
		}
		best := -1
		for _, i := range idx {
			if strings.Contains(out[i].msg, "conflicting values") && !strings.Contains(out[i].msg, "mismatched types") && userPositions(out[i].pos) >= 2 {
				best = i
				break
			}
		}
		if best < 0 {
			for _, i := range idx {
				if boundErr.MatchString(out[i].msg) {
					// The value has the right kind for a bounded alternative.
					best = foldAlternatives(out, idx)
					break
				}
			}
		}
		if best < 0 {
			for _, i := range idx {
				if m := out[i].msg; strings.Contains(m, "mismatched types") && typeMismatch.MatchString(m) {
					best = i
					break
				}
			}
		}
		if best < 0 {
			best = foldAlternatives(out, idx)
		}
		for _, i := range idx {
			keep[i] = i == best
		}
	}
	var kept []cueError
	for i, ce := range out {
		if keep[i] {
			kept = append(kept, ce)
		}
	}
	return kept
}

// foldAlternatives folds the errors of a disjunction's alternatives into
// the first of them and returns its index: a bound the value failed (a
// default it also differs from says nothing), the bounds it matches none
// of, or the literals it is none of.
func foldAlternatives(out []cueError, idx []int) int {
	var bounds []int
	var value string
	for _, i := range idx {
		if m := boundErr.FindStringSubmatch(out[i].msg); m != nil {
			bounds = append(bounds, i)
			value = m[1]
		}
	}
	switch {
	case len(bounds) == 1:
		return bounds[0]
	case len(bounds) > 1:
		var list []string
		for _, i := range bounds {
			m := boundErr.FindStringSubmatch(out[i].msg)
			if m[1] != value {
				return bounds[0]
			}
			list = append(list, m[2])
		}
		best := bounds[0]
		out[best].msg = fmt.Sprintf("invalid value %s (matches none of %s)", value, strings.Join(list, ", "))
		for _, i := range bounds[1:] {
			out[best].pos = append(out[best].pos, out[i].pos...)
		}
		return best
	}
	// Literal alternatives ("dev" | "test" | "prod"): every error is a
	// conflict between the user's value and one alternative.
	counts := map[string]int{}
	pairs := make([][2]string, 0, len(idx))
	for _, i := range idx {
		m := conflictErr.FindStringSubmatch(out[i].msg)
		if m == nil {
			return idx[0]
		}
		pairs = append(pairs, [2]string{m[1], m[2]})
		counts[m[1]]++
		counts[m[2]]++
	}
	for v, n := range counts {
		if n == len(idx) && len(idx) > 1 {
			value = v
		}
	}
	if value == "" {
		return idx[0]
	}
	var want []string
	for _, p := range pairs {
		if p[0] == value {
			want = append(want, p[1])
		} else {
			want = append(want, p[0])
		}
	}
	best := idx[0]
	out[best].msg = fmt.Sprintf("invalid value %s (want one of %s)", value, strings.Join(want, ", "))
	return best
}

var (
	conflictErr  = regexp.MustCompile(`^conflicting values (.+) and (.+)$`)
	typeMismatch = regexp.MustCompile(`values .* and (int|float|number|string|bool|bytes|struct|list|null) \(mismatched`)
	boundErr     = regexp.MustCompile(`^invalid value (.*) \(out of bound (.*)\)$`)
)

func userPositions(ps []token.Pos) int {
	n := 0
	for _, p := range ps {
		if p.IsValid() && filepath.IsAbs(p.Filename()) {
			n++
		}
	}
	return n
}

func isUserFile(dir, file string) bool {
	if !filepath.IsAbs(file) {
		return false
	}
	r, err := filepath.Rel(dir, file)
	return err == nil && !strings.HasPrefix(r, "..")
}

// unquoteAll turns CUE's path selectors into labels, dropping the #Spec
// the spec was unified with.
func unquoteAll(path []string) []string {
	for len(path) > 0 && (strings.HasPrefix(path[0], "#") || strings.HasPrefix(path[0], `"#`)) {
		path = path[1:]
	}
	out := make([]string, len(path))
	for i, l := range path {
		if strings.HasPrefix(l, `"`) {
			if u, err := strconv.Unquote(l); err == nil {
				l = u
			}
		}
		out[i] = l
	}
	return out
}

// hints for values that fail one of the schema's formats, keyed by a
// fragment of the format's regular expression.
var formatHints = []struct{ fragment, hint string }{
	{"@sha256:", "pin the image by digest: registry/repository@sha256:<64 hex digits> (a tag may stand before the digest)"},
	{"|@[A-Za-z0-9]", "name a team, a person as @handle, or an e-mail address"},
	{"(ms|s|m|h|d|w)", `write a duration such as "300ms", "5m", "24h" or "7d"`},
	{"(Ki|Mi|Gi", `write an amount of memory such as "512Mi", "64Gi" or a number of bytes`},
	{"m?$", `write CPU as cores (4, 0.5) or millicores ("500m")`},
	{"(bps|Kbps", `write a bandwidth such as "10Gbps"`},
	{"[a-z]([a-z0-9-]{0,61}", "names are lower-case letters, digits and '-', starting with a letter (DNS labels)"},
	{"(0[1-9]|1[0-2])", `write a date as "2026-01-31"`},
	{"T[0-9]{2}:", `write a time as RFC 3339, "2026-11-27T00:00:00Z"`},
}

func hint(msg string, labels []string, v cue.Value) string {
	switch {
	case strings.Contains(msg, "field not allowed"):
		if len(labels) == 0 || !v.Exists() {
			return "remove the field or check its spelling against the schema"
		}
		parent := v.LookupPath(pathOf(labels[:len(labels)-1]))
		name := labels[len(labels)-1]
		candidates := slices.DeleteFunc(fieldNames(parent), func(s string) bool { return s == name })
		if s := suggest.Closest(name, candidates); s != "" {
			return fmt.Sprintf("did you mean %q?", s)
		}
		return "remove the field or check its spelling against the schema"
	case strings.Contains(msg, "field is required but not present"):
		if len(labels) > 0 {
			return fmt.Sprintf("add %s: … here", labels[len(labels)-1])
		}
	case strings.Contains(msg, "mismatched types"):
		if m := typeMismatch.FindStringSubmatch(msg); m != nil {
			return fmt.Sprintf("the schema wants a value of type %s here", m[1])
		}
		return "use a value of the type the schema wants"
	case strings.Contains(msg, "conflicting values"):
		return "a field may have only one value: make the files agree or remove one of them"
	case strings.Contains(msg, "incomplete value"), strings.Contains(msg, "non-concrete"):
		return "give the field a concrete value"
	}
	for _, h := range formatHints {
		if strings.Contains(msg, h.fragment) {
			return h.hint
		}
	}
	return ""
}

func pathOf(labels []string) cue.Path {
	sels := make([]cue.Selector, len(labels))
	for i, l := range labels {
		sels[i] = cue.Str(l)
	}
	return cue.MakePath(sels...)
}

func fieldNames(v cue.Value) []string {
	if !v.Exists() {
		return nil
	}
	it, err := v.Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	var out []string
	for it.Next() {
		out = append(out, it.Selector().Unquoted())
	}
	return out
}
