package gitops

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// toYAML writes a JSON value (as decoded with UseNumber) as block YAML
// with keys sorted, the layout kubectl and kustomize print. It is what
// sigs.k8s.io/yaml produces, without its round trip through a YAML parser
// (most of the cost of rendering a large tree); TestYAMLRoundTrip checks
// that every document reads back as the JSON it came from.
func toYAML(b *bytes.Buffer, v any, indent int) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}\n")
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", max(indent, 0)))
			}
			b.WriteString(scalarString(k))
			b.WriteByte(':')
			writeValue(b, x[k], max(indent, 0))
		}
	case []any:
		if len(x) == 0 {
			b.WriteString("[]\n")
			return
		}
		for i, e := range x {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", max(indent, 0)))
			}
			b.WriteString("- ")
			switch c := e.(type) {
			case map[string]any:
				if len(c) == 0 {
					b.WriteString("{}\n")
					continue
				}
				toYAML(b, c, max(indent, 0)+2)
			case []any:
				if len(c) == 0 {
					b.WriteString("[]\n")
					continue
				}
				b.WriteByte('\n')
				b.WriteString(strings.Repeat(" ", max(indent, 0)+2))
				toYAML(b, c, max(indent, 0)+2)
			default:
				writeScalar(b, c, max(indent, 0)+2)
			}
		}
	default:
		writeScalar(b, x, max(indent, 0))
	}
}

// writeValue writes the value of a map key that has just been written.
func writeValue(b *bytes.Buffer, v any, indent int) {
	switch c := v.(type) {
	case map[string]any:
		if len(c) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", indent+2))
		toYAML(b, c, indent+2)
	case []any:
		if len(c) == 0 {
			b.WriteString(" []\n")
			return
		}
		// Lists under a key are not indented, as kubectl prints them.
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", indent))
		toYAML(b, c, indent)
	default:
		b.WriteByte(' ')
		writeScalar(b, c, indent)
	}
}

func writeScalar(b *bytes.Buffer, v any, indent int) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null\n")
	case bool:
		if x {
			b.WriteString("true\n")
		} else {
			b.WriteString("false\n")
		}
	case json.Number:
		b.WriteString(x.String())
		b.WriteByte('\n')
	case string:
		if strings.Contains(x, "\n") && blockSafe(x) {
			// A literal block keeps multi-line PromQL and JSON readable.
			b.WriteString("|")
			if !strings.HasSuffix(x, "\n") {
				b.WriteString("-")
			}
			b.WriteByte('\n')
			pad := strings.Repeat(" ", indent+2)
			for _, line := range strings.Split(strings.TrimSuffix(x, "\n"), "\n") {
				if line != "" {
					b.WriteString(pad)
					b.WriteString(line)
				}
				b.WriteByte('\n')
			}
			return
		}
		b.WriteString(scalarString(x))
		b.WriteByte('\n')
	default:
		j, _ := json.Marshal(x)
		b.Write(j)
		b.WriteByte('\n')
	}
}

// blockSafe reports whether s can be a literal block scalar: no trailing
// spaces on a line, no leading space on the first line, no tabs or
// carriage returns, and at most one trailing newline.
func blockSafe(s string) bool {
	if strings.HasPrefix(s, " ") || strings.ContainsAny(s, "\t\r") || strings.HasSuffix(s, "\n\n") {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") {
			return false
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
// letter, '/' or '_' (no indicator, nothing numeric) and holds no
// character YAML gives a meaning to in a plain scalar.
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '/':
		case i > 0 && (c >= '0' && c <= '9' || strings.IndexByte(" .:=@,()*+-", c) >= 0):
		default:
			return false
		}
	}
	return true
}

// scalarString writes a string plainly when YAML reads it back as the
// same string, and double-quoted (JSON escapes are YAML escapes) otherwise.
func scalarString(s string) string {
	if plainSafe(s) && !yamlWords[s] && !strings.HasSuffix(s, ":") && !strings.HasSuffix(s, " ") &&
		!strings.Contains(s, ": ") && !strings.Contains(s, " #") {
		return s
	}
	j, _ := json.Marshal(s)
	return string(j)
}
