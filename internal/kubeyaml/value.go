package kubeyaml

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"k8s.io/apimachinery/pkg/util/intstr"
)

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
	zeroerType        = reflect.TypeFor[interface{ IsZero() bool }]()
	intOrStringType   = reflect.TypeFor[intstr.IntOrString]()
)

// build adds the tree of o and returns its root.
func (e *Encoder) build(o any) (int32, error) {
	if o == nil {
		return e.null(), nil
	}
	return e.walk(reflect.ValueOf(o), false, false)
}

// walk adds the node of v. addr is whether encoding/json would see v as
// addressable and call the methods of its pointer: not in a map's value
// (which Encoder reads into a variable of its own) nor under one, until a
// pointer. quoted is the JSON tag option "string": a number, bool or
// string written as a string holding its JSON.
func (e *Encoder) walk(v reflect.Value, addr, quoted bool) (int32, error) {
	t := v.Type()
	if t == intOrStringType && v.CanInterface() {
		// The most common marshaler in a tree (every PromQL expression),
		// written as its MarshalJSON writes it without the JSON.
		var ios intstr.IntOrString
		if v.CanAddr() {
			ios = *v.Addr().Interface().(*intstr.IntOrString)
		} else {
			ios = v.Interface().(intstr.IntOrString)
		}
		switch ios.Type {
		case intstr.Int:
			return e.add(node{kind: 'i', num: uint64(ios.IntVal)}), nil
		case intstr.String:
			return e.add(node{kind: '"', str: ios.StrVal}), nil
		}
	}
	ti := infoOf(t)
	switch {
	case ti.marshaler:
		return e.marshal(v, v, false)
	case ti.addrMarshaler && addr:
		return e.marshal(v, v.Addr(), false)
	case ti.text:
		return e.marshal(v, v, true)
	case ti.addrText && addr:
		return e.marshal(v, v.Addr(), true)
	}
	switch v.Kind() {
	case reflect.Bool:
		s := "false"
		if v.Bool() {
			s = "true"
		}
		if quoted {
			return e.add(node{kind: '"', str: s}), nil
		}
		return e.add(node{kind: 'n', str: s}), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if quoted {
			return e.add(node{kind: '"', str: strconv.FormatInt(v.Int(), 10)}), nil
		}
		return e.add(node{kind: 'i', num: uint64(v.Int())}), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if quoted {
			return e.add(node{kind: '"', str: strconv.FormatUint(v.Uint(), 10)}), nil
		}
		return e.add(node{kind: 'u', num: v.Uint()}), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, fmt.Errorf("unsupported value %v of %s", f, t)
		}
		kind, bits := byte('f'), 64
		if v.Kind() == reflect.Float32 {
			kind, bits = 'F', 32
		}
		if quoted {
			return e.add(node{kind: '"', str: string(appendFloat(nil, f, bits))}), nil
		}
		return e.add(node{kind: kind, num: math.Float64bits(f)}), nil
	case reflect.String:
		s := v.String()
		if t == numberType {
			if s == "" {
				s = "0"
			}
			if c := s[0]; c != '-' && (c < '0' || c > '9') || !json.Valid([]byte(s)) || strings.TrimSpace(s) != s {
				return 0, fmt.Errorf("invalid number literal %q", s)
			}
			if quoted {
				return e.add(node{kind: '"', str: s}), nil
			}
			return e.add(node{kind: 'n', str: s}), nil
		}
		if quoted {
			return e.add(node{kind: '"', str: jsonString(s)}), nil
		}
		return e.add(node{kind: '"', str: s}), nil
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return e.null(), nil
		}
		return e.walk(v.Elem(), v.Kind() == reflect.Pointer, quoted)
	case reflect.Struct:
		return e.structValue(v, ti, addr)
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Slice:
		if v.IsNil() {
			return e.null(), nil
		}
		if ti.bytes {
			return e.add(node{kind: '"', str: base64.StdEncoding.EncodeToString(v.Bytes())}), nil
		}
		return e.arrayValue(v, true)
	case reflect.Array:
		return e.arrayValue(v, addr)
	}
	return 0, fmt.Errorf("unsupported type %s", t)
}

func (e *Encoder) structValue(v reflect.Value, ti *typeInfo, addr bool) (int32, error) {
	n := e.add(node{kind: '{', sorted: true})
	mark := len(e.stack)
fields:
	for i := range ti.fields {
		f := &ti.fields[i]
		fv, faddr := v, addr
		for _, x := range f.index {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue fields // a field of a nil embedded pointer
				}
				fv, faddr = fv.Elem(), true
			}
			fv = fv.Field(x)
		}
		if f.omitEmpty && isEmpty(fv) || f.omitZero && f.isZero(fv) {
			continue
		}
		k, err := e.walk(fv, faddr, f.quoted)
		if err != nil {
			return 0, err
		}
		e.nodes[k].key = f.name
		e.stack = append(e.stack, k)
	}
	e.close(n, mark)
	return n, nil
}

func (e *Encoder) mapValue(v reflect.Value) (int32, error) {
	if v.IsNil() {
		return e.null(), nil
	}
	n := e.add(node{kind: '{'})
	mark := len(e.stack)
	t := v.Type()
	key, val := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
	for it := v.MapRange(); it.Next(); {
		key.SetIterKey(it)
		val.SetIterValue(it)
		name, err := mapKey(key)
		if err != nil {
			return 0, err
		}
		k, err := e.walk(val, false, false)
		if err != nil {
			return 0, err
		}
		e.nodes[k].key = name
		e.stack = append(e.stack, k)
	}
	e.close(n, mark)
	return n, nil
}

// mapKey is the member name of a map key, as encoding/json resolves it.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", fmt.Errorf("unsupported map key type %s", k.Type())
}

func (e *Encoder) arrayValue(v reflect.Value, addr bool) (int32, error) {
	n := e.add(node{kind: '['})
	mark := len(e.stack)
	for i := range v.Len() {
		k, err := e.walk(v.Index(i), addr, false)
		if err != nil {
			return 0, err
		}
		e.stack = append(e.stack, k)
	}
	e.close(n, mark)
	return n, nil
}

// marshal adds the node of v as m (v or its address) writes it: a
// json.Marshaler's JSON, parsed, or an encoding.TextMarshaler's text, as a
// string.
func (e *Encoder) marshal(v, m reflect.Value, text bool) (int32, error) {
	if (m.Kind() == reflect.Pointer || m.Kind() == reflect.Interface) && m.IsNil() {
		return e.null(), nil
	}
	if !m.CanInterface() {
		return 0, fmt.Errorf("cannot marshal %s: it is promoted from an unexported embedded struct", v.Type())
	}
	if text {
		b, err := m.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return 0, fmt.Errorf("marshal %s: %w", v.Type(), err)
		}
		return e.add(node{kind: '"', str: string(b)}), nil
	}
	j, err := m.Interface().(json.Marshaler).MarshalJSON()
	if err == nil {
		var n int32
		if n, err = e.parseDocument(j); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("marshal %s: %w", v.Type(), err)
}

// null adds a null.
func (e *Encoder) null() int32 { return e.add(node{kind: 'n', str: "null"}) }

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

// typeInfo is what encoding a type needs, worked out once per type.
type typeInfo struct {
	marshaler, addrMarshaler bool // the type, or its pointer, is a json.Marshaler
	text, addrText           bool // ... or else an encoding.TextMarshaler
	bytes                    bool // a []byte, written in base64
	fields                   []field
}

// A field is a struct member: a field of the struct or of one embedded in
// it, in key order.
type field struct {
	name                string
	tagged              bool
	index               []int
	omitEmpty, omitZero bool
	quoted              bool
	isZero              func(reflect.Value) bool
}

var types sync.Map // reflect.Type → *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := types.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{}
	switch {
	case t.Implements(marshalerType):
		ti.marshaler = true
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType):
		ti.addrMarshaler = true
	case t.Implements(textMarshalerType):
		ti.text = true
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textMarshalerType):
		ti.addrText = true
	}
	switch t.Kind() {
	case reflect.Struct:
		ti.fields = structFields(t)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			p := reflect.PointerTo(t.Elem())
			ti.bytes = !p.Implements(marshalerType) && !p.Implements(textMarshalerType)
		}
	}
	actual, _ := types.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}

// structFields lists the members of a struct type as encoding/json does:
// exported fields by their tag names, the fields of untagged embedded
// structs promoted, and of several fields with one name the shallowest
// (or the only tagged one of the shallowest) kept, none if that is
// ambiguous.
func structFields(t reflect.Type) []field {
	type level struct {
		typ   reflect.Type
		index []int
	}
	var fields []field
	next := []level{{typ: t}}
	nextCount := map[reflect.Type]int{}
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current := next
		count := nextCount
		next, nextCount = nil, map[reflect.Type]int{}
		for _, l := range current {
			if visited[l.typ] {
				continue
			}
			visited[l.typ] = true
			for i := range l.typ.NumField() {
				sf := l.typ.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTag(name) {
					name = ""
				}
				index := append(slices.Clone(l.index), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					nextCount[ft]++
					if nextCount[ft] == 1 {
						next = append(next, level{typ: ft, index: index})
					}
					continue
				}
				f := field{name: name, tagged: name != "", index: index}
				if f.name == "" {
					f.name = sf.Name
				}
				for o := range strings.SplitSeq(opts, ",") {
					switch o {
					case "omitempty":
						f.omitEmpty = true
					case "omitzero":
						f.omitZero = true
						f.isZero = zeroFunc(sf.Type)
					case "string":
						switch ft.Kind() {
						case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
							reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
							reflect.Float32, reflect.Float64, reflect.String:
							f.quoted = true
						}
					}
				}
				fields = append(fields, f)
				if count[l.typ] > 1 {
					// The struct is embedded more than once at this depth:
					// its fields are ambiguous, and the copy makes them so.
					fields = append(fields, f)
				}
			}
		}
	}
	slices.SortStableFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	out := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		group := fields[i:j]
		if len(group) == 1 || len(group[0].index) < len(group[1].index) || group[0].tagged && !group[1].tagged {
			out = append(out, group[0])
		}
		i = j
	}
	return slices.Clip(out)
}

// zeroFunc reports whether a value of t is zero for omitzero: its IsZero
// method where it has one, its Go zero value otherwise.
func zeroFunc(t reflect.Type) func(reflect.Value) bool {
	switch {
	case t.Kind() == reflect.Pointer && t.Implements(zeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	case t.Implements(zeroerType):
		return func(v reflect.Value) bool { return v.Interface().(interface{ IsZero() bool }).IsZero() }
	case reflect.PointerTo(t).Implements(zeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				c := reflect.New(t).Elem()
				c.Set(v)
				v = c
			}
			return v.Addr().Interface().(interface{ IsZero() bool }).IsZero()
		}
	}
	return reflect.Value.IsZero
}

// validTag reports whether a JSON tag name is one encoding/json accepts.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// jsonString is s as a JSON string, as an encoder that does not escape
// HTML writes it.
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
