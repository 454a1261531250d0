package policy

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// astValue converts a Go value to the OPA value its JSON encoding decodes
// to, without the encoding: encoding/json's rules for struct tags
// (names, omitempty, "-"), nil pointers, maps and slices (null), map keys
// and numbers, straight into OPA's terms. A spec of thousands of teams
// would otherwise exist three times at once (the JSON, the generic map
// and the OPA value), which is most of check's peak memory. Values whose
// type marshals itself (json.Marshaler, encoding.TextMarshaler) go through
// their own encoding.
func astValue(v reflect.Value) (ast.Value, error) {
	if !v.IsValid() {
		return ast.Null{}, nil
	}
	t := v.Type()
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		(v.CanAddr() && (reflect.PointerTo(t).Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(textMarshaler))) {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return ast.Null{}, nil
		}
		return viaJSON(v.Interface())
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		return astValue(v.Elem())
	case reflect.Struct:
		fields, embeds := structFields(t)
		if embeds {
			return viaJSON(v.Interface()) // encoding/json flattens embedded structs
		}
		terms := make([][2]*ast.Term, 0, len(fields))
		for _, f := range fields {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			x, err := astValue(fv)
			if err != nil {
				return nil, err
			}
			terms = append(terms, [2]*ast.Term{ast.StringTerm(f.name), ast.NewTerm(x)})
		}
		return ast.NewObject(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if t.Key().Kind() != reflect.String {
			return viaJSON(v.Interface())
		}
		terms := make([][2]*ast.Term, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			x, err := astValue(it.Value())
			if err != nil {
				return nil, err
			}
			terms = append(terms, [2]*ast.Term{ast.StringTerm(it.Key().String()), ast.NewTerm(x)})
		}
		return ast.NewObject(terms...), nil
	case reflect.Slice:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return viaJSON(v.Interface()) // base64, as encoding/json writes bytes
		}
		fallthrough
	case reflect.Array:
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			x, err := astValue(v.Index(i))
			if err != nil {
				return nil, err
			}
			terms[i] = ast.NewTerm(x)
		}
		return ast.NewArray(terms...), nil
	case reflect.String:
		return ast.String(v.String()), nil
	case reflect.Bool:
		return ast.Boolean(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return ast.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return floatNumber(v.Float(), t.Bits())
	}
	return nil, fmt.Errorf("policy input: cannot encode a %s", t)
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// viaJSON is x's OPA value through its JSON encoding.
func viaJSON(x any) (ast.Value, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := util.UnmarshalJSON(b, &generic); err != nil {
		return nil, err
	}
	return ast.InterfaceToValue(generic)
}

// floatNumber writes f as encoding/json does: plain digits between 1e-6
// and 1e21, an exponent (without a leading zero) outside.
func floatNumber(f float64, bits int) (ast.Value, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("policy input: unsupported value %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
		bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	s := strconv.FormatFloat(f, format, -1, bits)
	if format == 'e' {
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
	}
	return ast.Number(s), nil
}

// isEmpty is encoding/json's test for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

type field struct {
	name      string
	index     int
	omitEmpty bool
}

type structInfo struct {
	fields []field
	// embeds is set when the struct embeds another, whose fields
	// encoding/json lifts into it.
	embeds bool
}

var fieldCache sync.Map // reflect.Type → structInfo

// structFields are the fields encoding/json writes of a struct type:
// exported, not tagged "-", named by the tag or the field.
func structFields(t reflect.Type) ([]field, bool) {
	if info, ok := fieldCache.Load(t); ok {
		return info.(structInfo).fields, info.(structInfo).embeds
	}
	var info structInfo
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			info.embeds = true
			continue
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		info.fields = append(info.fields, field{name: name, index: i, omitEmpty: hasOption(opts, "omitempty")})
	}
	fieldCache.Store(t, info)
	return info.fields, info.embeds
}

func hasOption(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}
