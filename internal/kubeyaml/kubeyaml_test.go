package kubeyaml

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sigs.k8s.io/yaml"
)

// TestEncoderRoundTrip: values that YAML could read as something else come back
// as the strings, numbers and structures they were.
func TestEncoderRoundTrip(t *testing.T) {
	tricky := []string{
		"", "plain", "yes", "No", "on", "null", "~", "true", "10", "1.5", "1e3", "0x1F", "2026-11-24", "1:20",
		" leading", "trailing ", "a: b", "a:b", "ends:", "x #y", "#comment", "*", "./x", ".5", ".inf", "&anchor", "!tag", "-x", "- x", "@a",
		"%x", "`x`", "'q'", "\"dq\"", "{a}", "[a]", "a, b", "line1\nline2", "line1\nline2\n", "trailing \nspace",
		"tab\there", "a > b && c < d", "Ünïcode", "https://x.example/a?b=c", "/path/to", "ServerSideApply=true", "sum(rate(x[5m]))",
	}
	for _, s := range tricky {
		v := map[string]any{"k": s, s: "key", "list": []any{s, map[string]any{"n": json.Number("3"), "s": s}, []any{s, []any{}}}, "empty": map[string]any{}, "none": []any{}}
		want, _ := json.Marshal(v)
		var b bytes.Buffer
		if err := NewEncoder().Encode(&b, v); err != nil {
			t.Fatal(err)
		}
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

// TestEncoderCleans: what the API server fills is left out, and an
// object left empty by that is written as {}.
func TestEncoderCleans(t *testing.T) {
	in := []any{
		map[string]any{"kind": "A", "status": map[string]any{"x": 1}, "metadata": map[string]any{"creationTimestamp": nil}},
		map[string]any{"spec": map[string]any{"status": "kept below the top", "authentication": map[string]any{"oauth2": map[string]any{}, "sigv4": map[string]any{}}},
			"list": []any{map[string]any{"creationTimestamp": nil}, map[string]any{"authentication": map[string]any{"token": "t"}}}},
	}
	var b bytes.Buffer
	if err := NewEncoder().Encode(&b, in...); err != nil {
		t.Fatal(err)
	}
	want := `kind: A
metadata: {}
---
list:
- {}
- authentication:
    token: t
spec:
  status: kept below the top
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestEncoderBadJSON: a marshaler that writes broken JSON is an error,
// never a panic.
func TestEncoderBadJSON(t *testing.T) {
	for _, j := range []string{``, `{`, `{"a"`, `{"a":}`, `{"a":1,}`, `[1,`, `"x`, `{"a":1}x`, `{1:2}`, `[}`} {
		var b bytes.Buffer
		if err := NewEncoder().write(&b, []byte(j)); err == nil {
			t.Errorf("%q: no error; wrote %q", j, b.String())
		}
	}
}

func FuzzEncoder(f *testing.F) {
	f.Add(`{"a":[1,{"b":"c\nd"}],"e":{}}`)
	f.Fuzz(func(t *testing.T, j string) {
		var v any
		if json.Unmarshal([]byte(j), &v) != nil {
			return
		}
		var b bytes.Buffer
		if err := NewEncoder().Encode(&b, v); err != nil {
			t.Fatalf("%q: %v", j, err)
		}
		got, err := yaml.YAMLToJSON(b.Bytes())
		if err != nil {
			t.Fatalf("%q: invalid YAML: %v\n%s", j, err, b.String())
		}
		want, _ := json.Marshal(v)
		if bytes.Contains(want, []byte("-0")) {
			return // go-yaml reads the number -0 as 0: a reader's quirk, no API field holds it
		}
		if !bytes.Equal(normalise(t, got), normalise(t, want)) {
			t.Fatalf("%q: read back as %s\n%s", j, got, b.String())
		}
	})
}

// FuzzUnquote: the JSON string decoder agrees with encoding/json.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\"b\\c\/d"`, `"\n\t\r\b\f"`, `"\u003c\u00e9\u2028"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\u12"`, `"\x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		var want string
		if json.Unmarshal([]byte(tok), &want) != nil {
			return
		}
		if end, err := scanString([]byte(tok), 0); err != nil || end != len(tok) {
			return // unquote takes exactly one token, as the parser scanned it
		}
		got, err := unquote([]byte(tok))
		if err != nil || string(got) != want {
			t.Fatalf("unquote(%s) = %q, %v; want %q", tok, got, err, want)
		}
	})
}

// TestLongKeys: YAML allows implicit keys of at most 1024 characters; a
// longer one is written as an explicit key and reads back the same,
// whatever its value.
func TestLongKeys(t *testing.T) {
	long := strings.Repeat("k", 1100)
	for _, v := range []any{
		map[string]any{long: "v"},
		map[string]any{long: map[string]any{"a": 1, "b": []any{"x", map[string]any{"c": "d"}}}},
		map[string]any{"outer": map[string]any{long: []any{1, 2}, "short": true}},
		map[string]any{long: map[string]any{}},
	} {
		var b bytes.Buffer
		if err := NewEncoder().Encode(&b, v); err != nil {
			t.Fatal(err)
		}
		got, err := yaml.YAMLToJSON(b.Bytes())
		if err != nil {
			t.Fatalf("invalid YAML: %v\n%s", err, b.String())
		}
		want, _ := json.Marshal(v)
		if !bytes.Equal(normalise(t, got), normalise(t, want)) {
			t.Errorf("read back as %s, want %s\n%s", got, want, b.String())
		}
	}
}
