// Package kubeyaml writes objects as the YAML kubectl and kustomize print:
// block style, keys sorted, multi-line strings as literal blocks, and the
// fields the API server fills (status, null creationTimestamps) left out.
// Objects are marshalled with encoding/json, so every API type's JSON tags
// and marshalers apply, and the JSON is converted to YAML directly rather
// than through a YAML parser as sigs.k8s.io/yaml does (most of the cost of
// rendering a large tree); the output is the same.
package kubeyaml

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// An Encoder converts through a flat parse tree and buffers it reuses. It
// is not safe for concurrent use; keep one per goroutine.
type Encoder struct {
	js    bytes.Buffer
	enc   *json.Encoder
	nodes []jnode
	kids  []int32 // the children of containers, contiguous per container
	stack []int32 // children being collected while a container is parsed
	pad   []byte  // spaces, sliced for indentation
}

// A jnode is one value of a parsed JSON document.
type jnode struct {
	kind  byte   // '{' object, '[' array, '"' string, '0' number, true, false or null
	raw   []byte // a scalar's JSON token (a string's with its quotes)
	key   []byte // as a member of an object: its key, unescaped
	kids  int32  // first child in Encoder.kids
	nkids int32
}

// NewEncoder returns an Encoder.
func NewEncoder() *Encoder {
	e := &Encoder{}
	e.enc = json.NewEncoder(&e.js)
	return e
}

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
		e.js.Reset()
		if err := e.enc.Encode(o); err != nil {
			return err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		if err := e.write(b, e.js.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// write converts one JSON document to YAML.
func (e *Encoder) write(b *bytes.Buffer, j []byte) error {
	e.nodes, e.kids, e.stack = e.nodes[:0], e.kids[:0], e.stack[:0]
	root, rest, err := e.parse(j, 0)
	if err != nil {
		return err
	}
	if rest = skipSpace(j, rest); rest != len(j) {
		return fmt.Errorf("invalid JSON: trailing data at offset %d", rest)
	}
	if e.nodes[root].kind == '{' {
		e.sortMembers(root)
	}
	e.value(b, root, 0, true)
	return nil
}

func skipSpace(j []byte, i int) int {
	for i < len(j) && (j[i] == ' ' || j[i] == '\n' || j[i] == '\t' || j[i] == '\r') {
		i++
	}
	return i
}

// parse reads the value at j[i:] into a node and returns its index and
// the offset after it.
func (e *Encoder) parse(j []byte, i int) (int32, int, error) {
	i = skipSpace(j, i)
	if i >= len(j) {
		return 0, i, fmt.Errorf("invalid JSON: unexpected end")
	}
	idx := int32(len(e.nodes))
	switch c := j[i]; c {
	case '{', '[':
		e.nodes = append(e.nodes, jnode{kind: c})
		mark := len(e.stack)
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i = skipSpace(j, i+1)
		if i < len(j) && j[i] == closing {
			i++
		} else {
			for {
				var key []byte
				if c == '{' {
					i = skipSpace(j, i)
					end, err := scanString(j, i)
					if err != nil {
						return 0, i, err
					}
					if key, err = unquote(j[i:end]); err != nil {
						return 0, i, err
					}
					i = skipSpace(j, end)
					if i >= len(j) || j[i] != ':' {
						return 0, i, fmt.Errorf("invalid JSON: want ':' at offset %d", i)
					}
					i++
				}
				kid, next, err := e.parse(j, i)
				if err != nil {
					return 0, next, err
				}
				e.nodes[kid].key = key
				e.stack = append(e.stack, kid)
				i = skipSpace(j, next)
				if i < len(j) && j[i] == ',' {
					i++
					continue
				}
				if i < len(j) && j[i] == closing {
					i++
					break
				}
				return 0, i, fmt.Errorf("invalid JSON: want ',' or %q at offset %d", closing, i)
			}
		}
		e.nodes[idx].kids = int32(len(e.kids))
		e.nodes[idx].nkids = int32(len(e.stack) - mark)
		e.kids = append(e.kids, e.stack[mark:]...)
		e.stack = e.stack[:mark]
		return idx, i, nil
	case '"':
		end, err := scanString(j, i)
		if err != nil {
			return 0, i, err
		}
		e.nodes = append(e.nodes, jnode{kind: '"', raw: j[i:end]})
		return idx, end, nil
	default:
		end := i
		for end < len(j) && !strings.ContainsRune(",:]} \t\n\r", rune(j[end])) {
			end++
		}
		if end == i {
			return 0, i, fmt.Errorf("invalid JSON: unexpected %q at offset %d", c, i)
		}
		e.nodes = append(e.nodes, jnode{kind: '0', raw: j[i:end]})
		return idx, end, nil
	}
}

// scanString returns the offset after the JSON string starting at j[i].
func scanString(j []byte, i int) (int, error) {
	if i >= len(j) || j[i] != '"' {
		return i, fmt.Errorf("invalid JSON: want a string at offset %d", i)
	}
	for k := i + 1; k < len(j); k++ {
		switch j[k] {
		case '\\':
			k++
		case '"':
			return k + 1, nil
		}
	}
	return i, fmt.Errorf("invalid JSON: unterminated string at offset %d", i)
}

// unquote returns a JSON string token's value: the bytes between the
// quotes when there is no escape, which is the usual case.
func unquote(tok []byte) ([]byte, error) {
	body := tok[1 : len(tok)-1]
	if !utf8.Valid(body) {
		return slowUnquote(tok)
	}
	if bytes.IndexByte(body, '\\') < 0 {
		return body, nil
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			// Copy the run up to the next escape at once.
			j := bytes.IndexByte(body[i:], '\\')
			if j < 0 {
				out = append(out, body[i:]...)
				break
			}
			out = append(out, body[i:i+j]...)
			i += j
		}
		if i+1 >= len(body) {
			return nil, fmt.Errorf("invalid JSON string %s", tok)
		}
		i++
		switch body[i] {
		case '"', '\\', '/':
			out = append(out, body[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, err := strconv.ParseUint(string(body[i+1:min(i+5, len(body))]), 16, 32)
			if err != nil || i+5 > len(body) || utf16.IsSurrogate(rune(r)) {
				return slowUnquote(tok)
			}
			out = utf8.AppendRune(out, rune(r))
			i += 4
		default:
			return nil, fmt.Errorf("invalid JSON string %s", tok)
		}
	}
	return out, nil
}

// slowUnquote handles what unquote leaves to encoding/json: surrogate
// pairs, invalid UTF-8 and malformed escapes.
func slowUnquote(tok []byte) ([]byte, error) {
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

func (e *Encoder) children(n int32) []int32 {
	nd := &e.nodes[n]
	return e.kids[nd.kids : nd.kids+nd.nkids]
}

// sortMembers orders every object's members by key, depth first.
func (e *Encoder) sortMembers(n int32) {
	kids := e.children(n)
	if e.nodes[n].kind == '{' {
		slices.SortFunc(kids, func(a, b int32) int { return bytes.Compare(e.nodes[a].key, e.nodes[b].key) })
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
	switch string(nd.key) {
	case "status":
		return top
	case "creationTimestamp":
		return nd.kind == '0' && string(nd.raw) == "null"
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
			writeScalarString(b, e.nodes[k].key)
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
	tok := e.nodes[n].raw
	if e.nodes[n].kind != '"' {
		b.Write(tok)
		b.WriteByte('\n')
		return
	}
	if bytes.IndexByte(tok, '\\') < 0 {
		// No escape: the string is what lies between the quotes, and the
		// token is already its double-quoted form.
		if s := tok[1 : len(tok)-1]; plainString(s) {
			b.Write(s)
		} else {
			writeQuoted(b, tok)
		}
		b.WriteByte('\n')
		return
	}
	if bytes.Contains(tok, []byte(`\n`)) {
		if s, err := unquote(tok); err == nil && bytes.IndexByte(s, '\n') >= 0 && blockSafe(s) {
			// A literal block keeps multi-line PromQL and JSON readable.
			b.WriteString("|")
			if s[len(s)-1] != '\n' {
				b.WriteString("-")
			}
			b.WriteByte('\n')
			for line := range bytes.SplitSeq(bytes.TrimSuffix(s, []byte("\n")), []byte("\n")) {
				if len(line) > 0 {
					e.indent(b, indent+2)
					b.Write(line)
				}
				b.WriteByte('\n')
			}
			return
		}
	}
	// A string JSON escapes something in is never plain.
	writeQuoted(b, tok)
	b.WriteByte('\n')
}

// writeScalarString writes s plainly when YAML reads it back as the same
// string, and double-quoted otherwise.
func writeScalarString(b *bytes.Buffer, s []byte) {
	if plainString(s) {
		b.Write(s)
		return
	}
	j, _ := json.Marshal(string(s))
	writeQuoted(b, j)
}

func plainString(s []byte) bool {
	return plainSafe(s) && !yamlWords[string(s)] && s[len(s)-1] != ':' && s[len(s)-1] != ' ' &&
		!bytes.Contains(s, []byte(": ")) && !bytes.Contains(s, []byte(" #"))
}

// writeQuoted writes a JSON string token as a YAML double-quoted scalar:
// JSON's escapes are YAML's, but JSON leaves DEL and the C1 controls raw
// where YAML wants them escaped.
func writeQuoted(b *bytes.Buffer, tok []byte) {
	if bytes.IndexFunc(tok, notYAMLPrintable) < 0 {
		b.Write(tok)
		return
	}
	for _, r := range string(tok) {
		if notYAMLPrintable(r) {
			fmt.Fprintf(b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
}

// notYAMLPrintable reports whether r may not appear raw in a YAML stream
// (JSON has already escaped the C0 controls).
func notYAMLPrintable(r rune) bool {
	return r == 0x7f || r >= 0x80 && r <= 0x9f && r != 0x85 || r == 0xfffe || r == 0xffff
}

// blockSafe reports whether s can be a literal block scalar: a first line
// that is neither empty nor starts with a space (it sets the block's
// indentation), no trailing spaces on a line, no tabs, carriage returns or
// other control characters, and at most one trailing newline.
func blockSafe(s []byte) bool {
	if len(s) == 0 || s[0] == ' ' || s[0] == '\n' || bytes.HasSuffix(s, []byte("\n\n")) || bytes.Contains(s, []byte(" \n")) || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' || c == 0x7f {
			return false
		}
		if s[i] >= 0x80 {
			// Outside ASCII: the rune-wise check of what YAML breaks on.
			return bytes.IndexFunc(s, func(r rune) bool {
				return r != '\n' && (r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff)
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

// plainSafe reports whether s may be written plainly: it starts with a
// letter, '/', '_' or "./" (no indicator, nothing numeric) and holds no
// character YAML gives a meaning to in a plain scalar.
func plainSafe(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '/':
		case i == 0 && c == '.' && len(s) > 1 && s[1] == '/': // a relative path, ./x
		case i > 0 && (c >= '0' && c <= '9' || strings.IndexByte(" .:=@,()*+-", c) >= 0):
		default:
			return false
		}
	}
	return true
}
