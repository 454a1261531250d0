// Package kubeyaml writes objects as the YAML kubectl and kustomize print:
// block style, keys sorted, multi-line strings as literal blocks, and the
// fields the API server fills (status, null creationTimestamps) left out.
//
// Objects are walked directly, with the rules of encoding/json: JSON tags
// (names, omitempty, omitzero, string), embedded structs, and the
// json.Marshaler and encoding.TextMarshaler methods of API types such as
// resource.Quantity and intstr.IntOrString, whose JSON is parsed into the
// same tree. The result reads back as the JSON encoding/json would write,
// without the cost of writing that JSON and converting it (as
// sigs.k8s.io/yaml does, through a YAML parser), which is most of the
// cost of rendering a large tree.
package kubeyaml

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// An Encoder builds a flat tree of each object in buffers it reuses, then
// writes it. It is not safe for concurrent use; keep one per goroutine.
type Encoder struct {
	nodes []node
	kids  []int32 // the children of containers, contiguous per container
	stack []int32 // children being collected while a container is built
	pad   []byte  // spaces, sliced for indentation
}

// A node is one value of a document.
type node struct {
	kind   byte // '{' object, '[' array, '"' string, 'n' a JSON token (number, true, false, null) in str, 'i' int64, 'u' uint64, 'f' float64 or 'F' float32 in num
	sorted bool // an object whose members are already in key order
	key    string
	str    string
	num    uint64
	kids   int32 // first child in Encoder.kids
	nkids  int32
}

// NewEncoder returns an Encoder.
func NewEncoder() *Encoder { return &Encoder{} }

// Marshal returns objs as a YAML stream, one document each, separated by
// "---". The bytes are the caller's.
func (e *Encoder) Marshal(objs ...any) ([]byte, error) {
	var b bytes.Buffer
	if err := e.Encode(&b, objs...); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Encode writes objs to b as YAML documents separated by "---".
func (e *Encoder) Encode(b *bytes.Buffer, objs ...any) error {
	for i, o := range objs {
		e.reset()
		root, err := e.build(o)
		if err != nil {
			return err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		e.emit(b, root)
	}
	return nil
}

func (e *Encoder) reset() {
	e.nodes, e.kids, e.stack = e.nodes[:0], e.kids[:0], e.stack[:0]
}

func (e *Encoder) emit(b *bytes.Buffer, root int32) {
	if e.nodes[root].kind == '{' || e.nodes[root].kind == '[' {
		e.sortMembers(root)
	}
	e.value(b, root, 0, true)
}

// add appends a node and returns its index.
func (e *Encoder) add(n node) int32 {
	e.nodes = append(e.nodes, n)
	return int32(len(e.nodes) - 1)
}

// close makes the children collected on the stack since mark those of the
// container n.
func (e *Encoder) close(n int32, mark int) {
	e.nodes[n].kids = int32(len(e.kids))
	e.nodes[n].nkids = int32(len(e.stack) - mark)
	e.kids = append(e.kids, e.stack[mark:]...)
	e.stack = e.stack[:mark]
}

func (e *Encoder) children(n int32) []int32 {
	nd := &e.nodes[n]
	return e.kids[nd.kids : nd.kids+nd.nkids]
}

// sortMembers orders every object's members by key, depth first.
func (e *Encoder) sortMembers(n int32) {
	kids := e.children(n)
	if nd := &e.nodes[n]; nd.kind == '{' && !nd.sorted {
		slices.SortFunc(kids, func(a, b int32) int { return strings.Compare(e.nodes[a].key, e.nodes[b].key) })
	}
	for _, k := range kids {
		if kind := e.nodes[k].kind; kind == '{' || kind == '[' {
			e.sortMembers(k)
		}
	}
}

// dropped reports whether a member is left out: the object's status at
// the top, a null creationTimestamp (also in pod templates) and the empty
// structs some API types marshal without omitempty (an Argo Rollouts
// Prometheus provider's authentication: {oauth2: {}, sigv4: {}}).
func (e *Encoder) dropped(k int32, top bool) bool {
	nd := &e.nodes[k]
	switch nd.key {
	case "status":
		return top
	case "creationTimestamp":
		return nd.kind == 'n' && nd.str == "null"
	case "authentication":
		return nd.kind == '{' && e.allEmpty(k)
	}
	return false
}

func (e *Encoder) allEmpty(n int32) bool {
	for _, k := range e.children(n) {
		if e.nodes[k].kind != '{' || !e.allEmpty(k) {
			return false
		}
	}
	return true
}

// empty reports whether a container has nothing to write.
func (e *Encoder) empty(n int32, top bool) bool {
	if e.nodes[n].kind == '[' {
		return e.nodes[n].nkids == 0
	}
	for _, k := range e.children(n) {
		if !e.dropped(k, top) {
			return false
		}
	}
	return true
}

func (e *Encoder) indent(b *bytes.Buffer, n int) {
	for len(e.pad) < n {
		e.pad = append(e.pad, ' ')
	}
	b.Write(e.pad[:n])
}

// value writes a node at the start of a line (or after "- ") whose
// continuation lines are indented by indent.
func (e *Encoder) value(b *bytes.Buffer, n int32, indent int, top bool) {
	switch e.nodes[n].kind {
	case '{':
		if e.empty(n, top) {
			b.WriteString("{}\n")
			return
		}
		first := true
		for _, k := range e.children(n) {
			if e.dropped(k, top) {
				continue
			}
			if !first {
				e.indent(b, indent)
			}
			first = false
			start := b.Len()
			writeKey(b, e.nodes[k].key)
			if b.Len()-start > maxImplicitKey && utf8.RuneCount(b.Bytes()[start:]) > maxImplicitKey {
				// A longer key cannot be an implicit key: it is written
				// as an explicit one, "? KEY", with ": VALUE" below.
				key := append([]byte("? "), b.Bytes()[start:]...)
				b.Truncate(start)
				b.Write(key)
				b.WriteByte('\n')
				e.indent(b, indent)
			}
			b.WriteByte(':')
			e.member(b, k, indent)
		}
	case '[':
		if e.empty(n, false) {
			b.WriteString("[]\n")
			return
		}
		for i, k := range e.children(n) {
			if i > 0 {
				e.indent(b, indent)
			}
			b.WriteString("- ")
			switch e.nodes[k].kind {
			case '{', '[':
				if e.empty(k, false) {
					if e.nodes[k].kind == '{' {
						b.WriteString("{}\n")
					} else {
						b.WriteString("[]\n")
					}
					continue
				}
				if e.nodes[k].kind == '[' {
					b.WriteByte('\n')
					e.indent(b, indent+2)
				}
				e.value(b, k, indent+2, false)
			default:
				e.scalar(b, k, indent+2)
			}
		}
	default:
		e.scalar(b, n, indent)
	}
}

// member writes the value of an object member whose key has just been
// written.
func (e *Encoder) member(b *bytes.Buffer, k int32, indent int) {
	switch e.nodes[k].kind {
	case '{':
		if e.empty(k, false) {
			b.WriteString(" {}\n")
			return
		}
		b.WriteByte('\n')
		e.indent(b, indent+2)
		e.value(b, k, indent+2, false)
	case '[':
		if e.empty(k, false) {
			b.WriteString(" []\n")
			return
		}
		// Lists under a key are not indented, as kubectl prints them.
		b.WriteByte('\n')
		e.indent(b, indent)
		e.value(b, k, indent, false)
	default:
		b.WriteByte(' ')
		e.scalar(b, k, indent)
	}
}

func (e *Encoder) scalar(b *bytes.Buffer, n int32, indent int) {
	nd := &e.nodes[n]
	switch nd.kind {
	case '"':
		e.writeString(b, nd.str, indent)
	case 'i':
		b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(nd.num), 10))
	case 'u':
		b.Write(strconv.AppendUint(b.AvailableBuffer(), nd.num, 10))
	case 'f':
		b.Write(appendFloat(b.AvailableBuffer(), math.Float64frombits(nd.num), 64))
	case 'F':
		b.Write(appendFloat(b.AvailableBuffer(), math.Float64frombits(nd.num), 32))
	default:
		b.WriteString(nd.str)
	}
	b.WriteByte('\n')
}

// appendFloat formats f as encoding/json does: the shortest decimal that
// reads back as f, in exponent form only for very small or large values.
func appendFloat(b []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// 1e-07 is written 1e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// writeString writes s plainly when YAML reads it back as the same
// string, as a literal block when it is multi-line text (PromQL, JSON),
// and double-quoted otherwise.
func (e *Encoder) writeString(b *bytes.Buffer, s string, indent int) {
	if plainString(s) {
		b.WriteString(s)
		return
	}
	if strings.IndexByte(s, '\n') >= 0 && blockSafe(s) {
		b.WriteString("|")
		if s[len(s)-1] != '\n' {
			b.WriteString("-")
		}
		b.WriteByte('\n')
		for line := range strings.SplitSeq(strings.TrimSuffix(s, "\n"), "\n") {
			if len(line) > 0 {
				e.indent(b, indent+2)
				b.WriteString(line)
			}
			b.WriteByte('\n')
		}
		b.Truncate(b.Len() - 1) // the caller ends the line
		return
	}
	writeQuoted(b, s)
}

// maxImplicitKey is the longest implicit mapping key YAML allows, in
// characters.
const maxImplicitKey = 1024

// writeKey writes a mapping key, plainly when it can be.
func writeKey(b *bytes.Buffer, s string) {
	if plainString(s) {
		b.WriteString(s)
		return
	}
	writeQuoted(b, s)
}

// plainString reports whether s is written plainly: it starts with a
// letter, '/', '_' or "./" (no indicator, nothing numeric), holds no
// character YAML gives a meaning to in a plain scalar (no ": ", no '#'),
// does not end in ':' or ' ', and is not a word YAML 1.1 reads as a bool
// or null.
func plainString(s string) bool {
	n := len(s)
	if n == 0 {
		return false
	}
	for i := 0; i < n; i++ {
		switch c := s[i]; plainClass[c] {
		case plainAnywhere:
		case plainInside:
			if i == 0 && (c != '.' || n == 1 || s[1] != '/') { // a relative path, ./x
				return false
			}
			if c == ' ' && s[i-1] == ':' {
				return false
			}
		default:
			return false
		}
	}
	if last := s[n-1]; last == ':' || last == ' ' {
		return false
	}
	return n > 5 || !yamlWords[s]
}

const (
	plainAnywhere = 1 // letters, '_' and '/'
	plainInside   = 2 // digits and " .:=@,()*+-", not first
)

var plainClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '/':
			t[c] = plainAnywhere
		case c >= '0' && c <= '9', strings.IndexByte(" .:=@,()*+-", byte(c)) >= 0:
			t[c] = plainInside
		}
	}
	return t
}()

const hex = "0123456789abcdef"

// writeQuoted writes s as a YAML double-quoted scalar. It escapes what
// JSON escapes (quotes, backslashes, the C0 controls, U+2028 and U+2029),
// DEL and the C1 controls, which YAML wants escaped, and NEL and the byte
// order mark, which a YAML 1.1 reader does not keep raw; invalid UTF-8 is
// written as U+FFFD, as encoding/json does, and U+FFFD is escaped.
func writeQuoted(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError && !notYAMLPrintable(r) && !yamlBreak(r) {
			i += size
			continue
		}
		// Invalid UTF-8 is written as U+FFFD, escaped like U+FFFD itself.
		b.WriteString(s[start:i])
		fmt.Fprintf(b, `\u%04x`, r)
		i += size
		start = i
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// yamlBreak reports whether a rune outside ASCII is one that a YAML 1.1
// reader takes for a line break (NEL, U+2028, U+2029) or a byte order
// mark: raw in a double-quoted scalar, it would be folded to a space or
// dropped, so it is escaped.
func yamlBreak(r rune) bool {
	return r == '\u0085' || r == '\u2028' || r == '\u2029' || r == '\ufeff'
}

// notYAMLPrintable reports whether a rune outside ASCII may not appear
// raw in a YAML stream.
func notYAMLPrintable(r rune) bool {
	return r >= 0x80 && r <= 0x9f && r != 0x85 || r == 0xfffe || r == 0xffff
}

// blockSafe reports whether s can be a literal block scalar: a first line
// that is neither empty nor starts with a space (it sets the block's
// indentation), no trailing spaces on a line, no tabs, carriage returns or
// other control characters, and at most one trailing newline.
func blockSafe(s string) bool {
	if len(s) == 0 || s[0] == ' ' || s[0] == '\n' || strings.HasSuffix(s, "\n\n") || strings.Contains(s, " \n") || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' || c == 0x7f {
			return false
		}
		if s[i] >= 0x80 {
			// Outside ASCII: the rune-wise check of what YAML breaks on.
			return strings.IndexFunc(s, func(r rune) bool {
				return r != '\n' && (r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == utf8.RuneError || notYAMLPrintable(r))
			}) < 0
		}
	}
	return true
}

var (
	// YAML 1.1 words a plain scalar must not be, or it reads as another type.
	yamlWords = map[string]bool{
		"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "n": true, "N": true, "no": true, "No": true, "NO": true,
		"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
		"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
		"null": true, "Null": true, "NULL": true, "~": true,
	}
)
