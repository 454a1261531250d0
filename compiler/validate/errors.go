package validate

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/hclspec"
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
	for _, ce := range collapse(e.liftNotAllowed(errs)) {
		labels := unquoteAll(ce.path)
		h := hint(ce.msg, labels, v)
		labels, msg, atKey := explain(labels, ce.msg)

		var user, other []diag.Pos
		seen := map[diag.Pos]bool{}
		add := func(p diag.Pos) {
			// "<builtin:…>" is where CUE's builtins live, nothing to show.
			if !p.IsValid() || seen[p] || strings.HasPrefix(p.File, "<") {
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
		d := diag.Diagnostic{Severity: diag.Error, Rule: RuleSchema, Path: formatPath(labels)}
		required := strings.Contains(msg, "field is required but not present")
		written := []diag.Pos(nil)
		if ce.written {
			written = pkg.Index.Positions(labels)
		}
		switch {
		case len(written) > 0:
			// A field the schema does not allow (liftNotAllowed): every
			// place its label is written.
			d.Pos, d.Related = written[0], written[1:]
		case atKey:
			// A bad map key: point at the key, which is where the user
			// wrote the value, whatever else CUE names.
			d.Pos, _ = pkg.Index.Lookup(labels)
			d.Related = append(user, other...)
		case len(user) == 0 && len(labels) > 0 && isDefinition(labels[0]):
			// An error inside a definition of the user's (a structural
			// cycle), which CUE reports without a position.
			d.Pos = definitionPos(pkg, labels)
			d.Related = other
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
		if msg == "" {
			msg = "invalid value"
		}
		if d.Path != "" {
			d.Message = d.Path + ": " + msg
		} else {
			d.Message = msg
		}
		d.Related = slices.DeleteFunc(d.Related, func(p diag.Pos) bool { return p == d.Pos })
		d.Hint = h
		if required && len(labels) > 0 && strings.HasSuffix(d.Pos.File, hclspec.Ext) {
			// The same hint in the syntax of the file it points into.
			d.Hint = fmt.Sprintf("add %s = … here", labels[len(labels)-1])
		}
		ds = append(ds, d)
	}
	return ds
}

// liftNotAllowed reports a field the schema does not allow once, at the
// field. CUE reports such a field either at the field or, when its value
// is a struct or a list, at every field inside it ("ratelimit.requests:
// field not allowed" for a misspelt rateLimit), depending on the order it
// evaluated things in. Each "field not allowed" is moved up to the
// outermost field on its path that the schema does not declare, and the
// errors below such a field are dropped: once the field is renamed or
// removed, they are either gone or reported anew.
func (e *evaluator) liftNotAllowed(errs []cueError) []cueError {
	fields := map[string]bool{}
	for i, ce := range errs {
		if !isNotAllowed(ce.msg) {
			continue
		}
		labels := unquoteAll(ce.path)
		n := e.undeclared(labels)
		if n == 0 {
			continue
		}
		fields[strings.Join(labels[:n], "\x00")] = true
		if n < len(labels) {
			// CUE's positions are those of the field inside.
			errs[i] = cueError{path: ce.path[:len(ce.path)-len(labels)+n], msg: ce.msg, written: true}
		}
	}
	if len(fields) == 0 {
		return errs
	}
	// A field CUE reported itself needs none of the lifted errors; of
	// those, one will do.
	seen := map[string]bool{}
	for _, ce := range errs {
		if !ce.written && isNotAllowed(ce.msg) {
			seen[strings.Join(unquoteAll(ce.path), "\x00")] = true
		}
	}
	var out []cueError
	for _, ce := range errs {
		labels := unquoteAll(ce.path)
		key := strings.Join(labels, "\x00")
		below := false
		for n := 1; n < len(labels) && !below; n++ {
			below = fields[strings.Join(labels[:n], "\x00")]
		}
		switch {
		case below:
		case ce.written:
			if !seen[key] {
				seen[key] = true
				out = append(out, ce)
			}
		default:
			out = append(out, ce)
		}
	}
	return out
}

// undeclared returns the length of the shortest prefix of labels whose last
// label the schema does not allow where it stands, going down #Spec by its
// fields, pattern constraints ([string]: …) and list elements; 0 when it
// allows them all or cannot tell (inside the user's definitions, or a
// value whose schema is no plain struct or list).
func (e *evaluator) undeclared(labels []string) int {
	s := e.spec
	for i, l := range labels {
		if isDefinition(l) || !s.Exists() {
			return 0
		}
		// An optional selector finds the optional and required fields
		// too, and a pattern constraint's value for l.
		next := s.LookupPath(cue.MakePath(cue.Str(l).Optional()))
		if !next.Exists() {
			k := s.IncompleteKind()
			_, err := strconv.Atoi(l)
			switch {
			case k&cue.ListKind != 0 && err == nil:
				next = s.LookupPath(cue.MakePath(cue.AnyIndex))
			case k&cue.StructKind != 0 && !s.Allows(cue.Str(l)):
				return i + 1
			default:
				return 0
			}
		}
		s = next
	}
	return 0
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
		// The fields the user wrote, and those the schema copies the key
		// into, which hold the error of a bad key.
		children := ix.Children(labels)
		for _, f := range keyFields {
			if !slices.Contains(children, f) {
				children = append(children, f)
			}
		}
		for _, c := range children {
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

// isNotAllowed reports whether msg is CUE's error for a field a closed
// struct does not allow.
func isNotAllowed(msg string) bool { return strings.Contains(msg, "field not allowed") }

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
	// written says the error is about the field itself, to be reported
	// where the user wrote its label, whatever positions CUE gave.
	written bool
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
			if !slices.Contains(list, m[2]) {
				list = append(list, m[2])
			}
		}
		best := bounds[0]
		if len(list) == 1 {
			// The same bound reached through several alternatives
			// (namespace: *"argocd" | #Name under two conditions).
			out[best].msg = fmt.Sprintf("invalid value %s (out of bound %s)", value, list[0])
		} else {
			out[best].msg = fmt.Sprintf("invalid value %s (matches none of %s)", value, strings.Join(list, ", "))
		}
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
		if m == nil || strings.Contains(out[i].msg, "(mismatched types") {
			// Not a literal: "{…} and "batch" (mismatched types …)".
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
// the spec was unified with. A definition of the user's stays.
func unquoteAll(path []string) []string {
	if len(path) > 0 && (path[0] == "#Spec" || path[0] == `"#Spec"`) {
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
	{"[a-z]([a-z0-9-]{0,61}", "names are lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters (DNS labels)"},
	{"(0[1-9]|1[0-2])", `write a date as "2026-01-31"`},
	{"T[0-9]{2}:", `write a time as RFC 3339, "2026-11-27T00:00:00Z"`},
}

func hint(msg string, labels []string, v cue.Value) string {
	switch {
	case isNotAllowed(msg):
		if len(labels) == 0 || !v.Exists() {
			return "remove the field or check its spelling against the schema"
		}
		parent := lookupLabels(v, labels[:len(labels)-1])
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

// lookupLabels returns the value at labels under v. A label of digits
// that names no field is a list index (routes.0): the labels come from
// paths that do not say which, and a value with an error below it does
// not say it is a list.
func lookupLabels(v cue.Value, labels []string) cue.Value {
	for _, l := range labels {
		next := v.LookupPath(cue.MakePath(cue.Str(l)))
		if n, err := strconv.Atoi(l); err == nil && n >= 0 && !next.Exists() {
			next = v.LookupPath(cue.MakePath(cue.Index(n)))
		}
		v = next
	}
	return v
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
		// Pattern constraints and other labels that are not strings name
		// no field.
		if sel := it.Selector(); sel.IsString() {
			out = append(out, sel.Unquoted())
		}
	}
	return out
}

// keyFields are the fields the schema copies a map's key into ({name: N}),
// so that the key is checked as the field's value.
var keyFields = []string{"environment", "id", "layer", "model", "name", "stage", "task"}

var (
	quotedValue = regexp.MustCompile(`^invalid value ("(?:[^"\\]|\\.)*")`)
	unsatisfied = regexp.MustCompile(`^invalid value ("(?:[^"\\]|\\.)*") \(does not satisfy (.*)\)$`)
	maxRunes    = regexp.MustCompile(`^strings\.MaxRunes\(([0-9]+)\)$`)
)

// explain rewrites CUE's message for a string that fails one of the
// schema's formats into what is wrong with it (an invalid name, a path
// Gateway API refuses, a day February lacks), and moves an error about a
// map key copied into its entry (teams."a/b".name) up to the key itself:
// atKey reports that labels now end at the key.
func explain(labels []string, msg string) (_ []string, _ string, atKey bool) {
	m := quotedValue.FindStringSubmatch(msg)
	if m == nil {
		return labels, msg, false
	}
	value, _ := unquoteCUE(m[1])
	if n := len(labels); n >= 2 && slices.Contains(keyFields, labels[n-1]) && labels[n-2] == value {
		field := labels[n-1]
		labels, atKey = labels[:n-1], true
		if strings.Contains(msg, "(want one of ") {
			// An enumeration (governance layers and stages).
			msg = "invalid " + field + strings.TrimPrefix(msg, "invalid value")
		}
	}
	if b := boundErr.FindStringSubmatch(msg); b != nil && strings.HasPrefix(b[2], "=~") {
		for _, f := range formats {
			if strings.Contains(b[2], f.fragment) {
				return labels, fmt.Sprintf("invalid %s %s: %s", f.what, shorten(value), f.explain(value)), atKey
			}
		}
	}
	if u := unsatisfied.FindStringSubmatch(msg); u != nil {
		switch c := u[2]; {
		case c == "time.Time" || strings.HasPrefix(c, `time.Format("2006-01-02T`):
			return labels, fmt.Sprintf("invalid time %s: %s", shorten(value), explainTime(value)), atKey
		case strings.HasPrefix(c, "time.Format("):
			return labels, fmt.Sprintf("invalid date %s: %s", shorten(value), explainTime(value)), atKey
		case maxRunes.MatchString(c):
			limit := maxRunes.FindStringSubmatch(c)[1]
			return labels, fmt.Sprintf("%s is too long: %d characters, at most %s", shorten(value), utf8.RuneCountInString(value), limit), atKey
		}
	}
	return labels, msg, atKey
}

// formatPath renders labels as a CUE path, definitions unquoted.
func formatPath(labels []string) string {
	if len(labels) > 0 && isDefinition(labels[0]) {
		rest := source.FormatPath(labels[1:])
		if rest == "" {
			return labels[0]
		}
		return labels[0] + "." + rest
	}
	return source.FormatPath(labels)
}

func isDefinition(label string) bool { return strings.HasPrefix(label, "#") }

// definitionPos finds where a path inside one of the user's definitions
// (#Tree.child) is written, or the nearest enclosing field of it; the
// source index knows only the spec's data. It falls back to the first
// file that declares the definition.
func definitionPos(pkg *load.Package, labels []string) diag.Pos {
	var fallback diag.Pos
	for _, f := range pkg.Files {
		if !slices.Contains(f.Declares, labels[0]) {
			continue
		}
		syn := f.Syntax
		if syn == nil {
			var err error
			if syn, err = f.Reparse(); err != nil {
				continue
			}
		}
		if p, depth := findDecl(syn.Decls, labels); depth > 0 {
			return source.Pos(p)
		}
		if !fallback.IsValid() {
			fallback = diag.Pos{File: f.Path, Line: 1, Column: 1}
		}
	}
	return fallback
}

// findDecl descends decls along labels, definitions included, and returns
// the position of the deepest field found and its depth.
func findDecl(decls []ast.Decl, labels []string) (token.Pos, int) {
	best, depth := token.NoPos, 0
	for _, d := range decls {
		var x ast.Expr
		switch d := d.(type) {
		case *ast.Field:
			if name, _, err := ast.LabelName(d.Label); err != nil || name != labels[0] {
				continue
			}
			if depth < 1 {
				best, depth = d.Label.Pos(), 1
			}
			if len(labels) == 1 {
				return best, depth
			}
			x = d.Value
			if p, n := findExprDecl(x, labels[1:]); n > 0 && n+1 > depth {
				best, depth = p, n+1
			}
		case *ast.EmbedDecl:
			if p, n := findExprDecl(d.Expr, labels); n > depth {
				best, depth = p, n
			}
		}
	}
	return best, depth
}

func findExprDecl(x ast.Expr, labels []string) (token.Pos, int) {
	switch x := x.(type) {
	case *ast.StructLit:
		return findDecl(x.Elts, labels)
	case *ast.BinaryExpr:
		if x.Op == token.AND {
			p, n := findExprDecl(x.X, labels)
			if q, m := findExprDecl(x.Y, labels); m > n {
				p, n = q, m
			}
			return p, n
		}
	}
	return token.NoPos, 0
}
