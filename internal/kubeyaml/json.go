package kubeyaml

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// parseDocument adds the nodes of the JSON document j (a marshaler's
// output) and returns its root.
func (e *Encoder) parseDocument(j []byte) (int32, error) {
	root, rest, err := e.parse(j, 0)
	if err != nil {
		return 0, err
	}
	if rest = skipSpace(j, rest); rest != len(j) {
		return 0, fmt.Errorf("invalid JSON: trailing data at offset %d", rest)
	}
	return root, nil
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
	switch c := j[i]; c {
	case '{', '[':
		idx := e.add(node{kind: c})
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
				e.nodes[kid].key = string(key)
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
		e.close(idx, mark)
		return idx, i, nil
	case '"':
		end, err := scanString(j, i)
		if err != nil {
			return 0, i, err
		}
		s, err := unquote(j[i:end])
		if err != nil {
			return 0, i, err
		}
		return e.add(node{kind: '"', str: string(s)}), end, nil
	default:
		end := i
		for end < len(j) && !strings.ContainsRune(",:]} \t\n\r", rune(j[end])) {
			end++
		}
		if end == i {
			return 0, i, fmt.Errorf("invalid JSON: unexpected %q at offset %d", c, i)
		}
		return e.add(node{kind: 'n', str: string(j[i:end])}), end, nil
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
