package gitops

import (
	"bytes"
	"encoding/json"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestYAMLWriter: values that YAML could read as something else come back
// as the strings, numbers and structures they were.
func TestYAMLWriter(t *testing.T) {
	tricky := []string{
		"", "plain", "yes", "No", "on", "null", "~", "true", "10", "1.5", "1e3", "0x1F", "2026-11-24", "1:20",
		" leading", "trailing ", "a: b", "a:b", "ends:", "x #y", "#comment", "*", "&anchor", "!tag", "-x", "- x", "@a",
		"%x", "`x`", "'q'", "\"dq\"", "{a}", "[a]", "a, b", "line1\nline2", "line1\nline2\n", "trailing \nspace",
		"tab\there", "Ünïcode", "https://x.example/a?b=c", "/path/to", "ServerSideApply=true", "sum(rate(x[5m]))",
	}
	for _, s := range tricky {
		v := map[string]any{"k": s, s: "key", "list": []any{s, map[string]any{"n": json.Number("3"), "s": s}}, "empty": map[string]any{}, "none": []any{}}
		want, _ := json.Marshal(v)
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(want))
		dec.UseNumber()
		dec.Decode(&m)
		var b bytes.Buffer
		toYAML(&b, m, 0)
		got, err := yaml.YAMLToJSON(b.Bytes())
		if err != nil {
			t.Errorf("%q: invalid YAML: %v\n%s", s, err, b.String())
			continue
		}
		if !bytes.Equal(normalise(t, got), normalise(t, want)) {
			t.Errorf("%q: read back as %s, want %s\n%s", s, got, want, b.String())
		}
	}
}

func normalise(t *testing.T, j []byte) []byte {
	var v any
	if err := json.Unmarshal(j, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return out
}
