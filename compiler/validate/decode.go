package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"cuelang.org/go/cue"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/load"
)

// decodeError reports a spec that passed the schema and still does not
// decode into the model: a number the model's type cannot hold, a quantity
// too large to normalise. The schema's bounds are meant to stop these
// first; this is the net under them, so that the user sees where and what
// rather than an empty message at the top of a file.
func decodeError(pkg *load.Package, u cue.Value, err error) diag.Diagnostic {
	d := diag.Diagnostic{Severity: diag.Error, Rule: RuleSchema}
	var labels []string
	msg := err.Error()
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		labels = strings.Split(te.Field, ".")
		msg = fmt.Sprintf("invalid value %s: out of the range platc can hold", strings.TrimPrefix(te.Value, "number "))
	} else if q := quotedString.FindString(msg); q != "" {
		// The model's parsers quote the value they fail on.
		if s, err := strconv.Unquote(q); err == nil {
			labels = findString(u, s, nil)
		}
	}
	d.Pos, _ = pkg.Index.Lookup(labels)
	d.Path = formatPath(labels)
	d.Message = msg
	if d.Path != "" {
		d.Message = d.Path + ": " + msg
	}
	return d
}

var quotedString = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// findString returns the labels of the first concrete string under v that
// equals s, in field order, or nil.
func findString(v cue.Value, s string, labels []string) []string {
	switch v.Kind() {
	case cue.StringKind:
		if x, err := v.String(); err == nil && x == s {
			return labels
		}
	case cue.StructKind:
		it, err := v.Fields()
		if err != nil {
			return nil
		}
		for it.Next() {
			if found := findString(it.Value(), s, append(labels[:len(labels):len(labels)], it.Selector().Unquoted())); found != nil {
				return found
			}
		}
	case cue.ListKind:
		it, err := v.List()
		if err != nil {
			return nil
		}
		for i := 0; it.Next(); i++ {
			if found := findString(it.Value(), s, append(labels[:len(labels):len(labels)], strconv.Itoa(i))); found != nil {
				return found
			}
		}
	}
	return nil
}
