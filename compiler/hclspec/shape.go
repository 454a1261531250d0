package hclspec

import (
	"fmt"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	"github.com/platc-dev/platc/schema"
)

// kind is what the schema allows at a spec path, as far as the HCL
// mapping needs to know: whether a block may stand there, and whether it
// takes a label.
type kind uint8

const (
	// open is a path the schema does not describe (a misspelt field, a
	// field of an open struct): blocks are read by their form and CUE
	// reports what is wrong.
	open kind = iota
	// scalar is a string, number, boolean or a list of them: only an
	// attribute can set it.
	scalar
	// record is a struct with named fields: one unlabelled block.
	record
	// collection is a map keyed by name: one labelled block per entry.
	collection
	// records is a list of structs: repeated unlabelled blocks.
	records
)

func (k kind) String() string {
	switch k {
	case scalar:
		return "a value"
	case record:
		return "a struct"
	case collection:
		return "a map keyed by name"
	case records:
		return "a list of structs"
	}
	return "any value"
}

// shape is the schema reduced to what the mapping decides by: the kind
// at each path, the fields of records, and the element of collections and
// lists.
type shape struct {
	kind   kind
	fields map[string]*shape
	elem   *shape
	// what names the schema type in messages: "string", "int", "list".
	what string
}

// openShape is returned for every path below a path the schema does not
// describe.
var openShape = &shape{kind: open}

// field returns the shape of a field of s.
func (s *shape) field(name string) *shape {
	if s == nil {
		return openShape
	}
	if f, ok := s.fields[name]; ok {
		return f
	}
	if s.elem != nil {
		return s.elem
	}
	return openShape
}

// entry returns the shape of an entry of a collection, or of an element
// of a list of structs.
func (s *shape) entry() *shape {
	if s == nil || s.elem == nil {
		return openShape
	}
	return s.elem
}

var (
	specShapeOnce sync.Once
	specShape     *shape
	specShapeErr  error
)

// maxShapeDepth bounds the schema walk; the schema nests 8 levels.
const maxShapeDepth = 24

// rootShape returns the shape of #Spec, computed once from the embedded
// schema. The result is read-only and shared by concurrent readers.
func rootShape() (*shape, error) {
	specShapeOnce.Do(func() {
		inst, err := schema.Instance()
		if err != nil {
			specShapeErr = err
			return
		}
		v := cuecontext.New().BuildInstance(inst)
		if err := v.Err(); err != nil {
			specShapeErr = fmt.Errorf("compile schema: %w", err)
			return
		}
		spec := v.LookupPath(cue.MakePath(cue.Def("Spec")))
		if !spec.Exists() {
			specShapeErr = fmt.Errorf("schema has no #Spec")
			return
		}
		specShape = shapeOf(spec, 0)
	})
	return specShape, specShapeErr
}

func shapeOf(v cue.Value, depth int) *shape {
	if depth > maxShapeDepth || !v.Exists() {
		return openShape
	}
	k := v.IncompleteKind()
	switch {
	case k&cue.StructKind != 0:
		s := &shape{kind: record, what: "struct"}
		if p := v.LookupPath(cue.MakePath(cue.AnyString)); p.Exists() {
			s.elem = shapeOf(p, depth+1)
		}
		it, err := v.Fields(cue.Optional(true))
		if err == nil {
			for it.Next() {
				if s.fields == nil {
					s.fields = map[string]*shape{}
				}
				s.fields[it.Selector().Unquoted()] = shapeOf(it.Value(), depth+1)
			}
		}
		switch {
		case s.fields == nil && s.elem != nil:
			s.kind = collection
		case s.fields == nil && err == nil:
			// Only patterns that are not "any string" (mig: [=~"^…$"]: …):
			// a map whose keys the schema checks.
			s.kind, s.elem = collection, openShape
		case s.fields == nil && err != nil:
			// A disjunction of structs and other kinds: read by form.
			return openShape
		}
		if k&^cue.StructKind != 0 && s.kind == record {
			// A struct or a scalar (string | {…}): a block or an attribute.
			s.kind = open
		}
		return s
	case k&cue.ListKind != 0:
		e := v.LookupPath(cue.MakePath(cue.AnyIndex))
		if e.Exists() && e.IncompleteKind()&cue.StructKind != 0 && e.IncompleteKind()&^cue.StructKind == 0 {
			return &shape{kind: records, elem: shapeOf(e, depth+1), what: "list"}
		}
		return &shape{kind: scalar, what: "list"}
	case k == cue.BottomKind || k == cue.TopKind:
		return openShape
	}
	return &shape{kind: scalar, what: k.String()}
}
