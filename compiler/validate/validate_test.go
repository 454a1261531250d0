package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/load"
)

// validSpec is a.cue of every case: a spec the schema accepts. Each case
// adds b.cue, so that its positions count from the top of its own file.
const validSpec = `package demo

platform: {
	name:  "demo"
	owner: "platform"
}

environments: dev: {
	tier:  "dev"
	owner: "platform"
	pools: general: {cpu: 16, memory: "64Gi"}
}

teams: platform: {
	owners: ["@alice"]
	onCall: "@alice"
}
`

// image is a valid image reference for services.
const image = `"registry.example.com/api@sha256:` + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + `"`

// dnsLabel is the end of the message for a name that is no DNS-1123 label.
const dnsLabel = `must be a DNS-1123 label: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`

// TestSchemaErrors: what the schema refuses gets an error that says what
// is wrong in words the user knows, at the position of what is wrong,
// whether the spec is only validated (vet) or decoded too (check).
func TestSchemaErrors(t *testing.T) {
	long := strings.Repeat("a", 64)
	tests := map[string]struct {
		spec string
		want []string
	}{
		"A team name with a path in it is an invalid name, reported at its key": {
			spec: `teams: "../../x": {owners: ["@a"], onCall: "@a"}`,
			want: []string{`b.cue:3:8: teams."../../x": invalid name "../../x": ` + dnsLabel},
		},
		"A name with a slash, a non-ASCII letter, too many characters or a leading digit is an invalid name": {
			spec: `teams: "a/b": {owners: ["@a"], onCall: "@a"}
teams: "ü": {owners: ["@a"], onCall: "@a"}
teams: "` + long + `": {owners: ["@a"], onCall: "@a"}
teams: "1abc": {owners: ["@a"], onCall: "@a"}`,
			want: []string{
				`b.cue:3:8: teams."a/b": invalid name "a/b": ` + dnsLabel,
				`b.cue:4:8: teams."ü": invalid name "ü": ` + dnsLabel,
				`b.cue:5:8: teams.` + long + `: invalid name "` + long + `": must be a DNS-1123 label: must be no more than 63 characters`,
				`b.cue:6:8: teams."1abc": invalid name "1abc": must start with a letter: names also become Kubernetes Service names, which are DNS-1035 labels`,
			},
		},
		"Every map keyed by a name checks its keys as names": {
			spec: `environments: Prod: {tier: "prod", owner: "platform"}
environments: dev: pools: "a b": {cpu: 1, memory: 1}
environments: dev: pools: general: gpus: "H100": {count: 1}
teams: platform: quotas: "x/y": {}
services: "Api": {team: "platform", kind: "api", image: ` + image + `}
services: api: {team: "platform", kind: "api", image: ` + image + `, environments: "de v": {}, upstreams: "U": {}, slos: "S_1": {kind: "availability", objective: 99}}
models: "M": {team: "platform"}
integrations: "I": {kind: "saas", owner: "platform"}
data: datasets: "D": {owner: "platform", classification: "public"}
data: pipelines: "P": {owner: "platform", mode: "stream"}
events: topics: "Orders": {owner: "platform"}
governance: raci: "R": {}
governance: changes: "C": {date: "2026-01-01", environment: "dev", system: "x", type: "normal", impact: "low"}
governance: architecture: kernel: {owner: "@a"}
exceptions: "E": {rule: "x", path: "teams.platform", reason: "r", expires: "2026-01-01"}
blueprint: {start: "2026-01-01", phases: "P1": {from: 1, to: 2, milestones: "M1": {due: 1, owner: "@a"}}}`,
			want: []string{
				`b.cue:3:15: environments.Prod: invalid name "Prod": ` + dnsLabel,
				`b.cue:4:27: environments.dev.pools."a b": invalid name "a b": ` + dnsLabel,
				`b.cue:5:42: environments.dev.pools.general.gpus.H100: invalid name "H100": ` + dnsLabel,
				`b.cue:6:26: teams.platform.quotas."x/y": invalid name "x/y": ` + dnsLabel,
				`b.cue:7:11: services.Api: invalid name "Api": ` + dnsLabel,
				`b.cue:8:169: services.api.environments."de v": invalid name "de v": ` + dnsLabel,
				`b.cue:8:192: services.api.upstreams.U: invalid name "U": ` + dnsLabel,
				`b.cue:8:207: services.api.slos.S_1: invalid name "S_1": ` + dnsLabel,
				`b.cue:9:9: models.M: invalid name "M": ` + dnsLabel,
				`b.cue:10:15: integrations.I: invalid name "I": ` + dnsLabel,
				`b.cue:11:17: data.datasets.D: invalid name "D": ` + dnsLabel,
				`b.cue:12:18: data.pipelines.P: invalid name "P": ` + dnsLabel,
				`b.cue:13:17: events.topics.Orders: invalid topic name "Orders": must be lower-case letters, digits, '.' and '-', starting with a letter and ending with a letter or digit`,
				`b.cue:14:19: governance.raci.R: invalid name "R": ` + dnsLabel,
				`b.cue:15:22: governance.changes.C: invalid name "C": ` + dnsLabel,
				`b.cue:16:27: governance.architecture.kernel: invalid layer "kernel" (want one of "data", "governance", "model", "service")`,
				`b.cue:17:13: exceptions.E: invalid name "E": ` + dnsLabel,
				`b.cue:18:42: blueprint.phases.P1: invalid name "P1": ` + dnsLabel,
				`b.cue:18:77: blueprint.phases.P1.milestones.M1: invalid name "M1": ` + dnsLabel,
			},
		},
		"A name that refers to a team or fills a defaulted field is checked as a name too": {
			spec: `services: api: {team: "Platform", kind: "api", image: ` + image + `}
platform: gitops: namespace: "Argo"`,
			want: []string{
				`b.cue:3:23: services.api.team: invalid name "Platform": ` + dnsLabel,
				`b.cue:4:30: platform.gitops.namespace: invalid name "Argo": ` + dnsLabel,
			},
		},
		"A route's host, path and header name are checked as Gateway API checks them": {
			spec: `services: api: {
	team: "platform", kind: "api", image: ` + image + `
	routes: [
		{host: "api.example.com\nx", path: "/"},
		{path: "/v1\u0000"},
		{path: "/a//b"},
		{path: "/a/.."},
		{path: "/a/./b"},
		{path: "/a%2fb"},
		{path: "v1"},
		{host: "*.example.com", path: "/v1/orders/"},
	]
	rateLimit: {requests: 1, per: "second", by: "header", header: "X-Key\nY"}
}
platform: gateway: hostnames: ["api.example.com", "API.example.com", "a\u0000b"]`,
			want: []string{
				`b.cue:6:10: services.api.routes."0".host: invalid host name "api.example.com\nx": '\n' is not allowed: must be a lower-case DNS name such as "api.example.com" or "*.example.com" (Gateway API's Hostname)`,
				`b.cue:7:10: services.api.routes."1".path: invalid path "/v1\x00": '\x00' is not allowed: a path is letters, digits, -._~!$&'()*+,;=:@/ and %-escapes (Gateway API's path prefix)`,
				`b.cue:8:10: services.api.routes."2".path: invalid path "/a//b": must not contain '//' (Gateway API's path prefix)`,
				`b.cue:9:10: services.api.routes."3".path: invalid path "/a/..": must not end with '/..' (Gateway API's path prefix)`,
				`b.cue:10:10: services.api.routes."4".path: invalid path "/a/./b": must not contain '/./' (Gateway API's path prefix)`,
				`b.cue:11:10: services.api.routes."5".path: invalid path "/a%2fb": must not contain '%2f' or '%2F' (Gateway API's path prefix)`,
				`b.cue:12:10: services.api.routes."6".path: invalid path "v1": must be an absolute path and start with '/' (Gateway API's path prefix)`,
				`b.cue:15:64: services.api.rateLimit.header: invalid header name "X-Key\nY": '\n' is not allowed: a header name is letters, digits and !#$%&'*+-.^_` + "`" + `|~ (Gateway API's HTTPHeaderName)`,
				`b.cue:17:51: platform.gateway.hostnames."1": invalid host name "API.example.com": 'A' is not allowed: must be a lower-case DNS name such as "api.example.com" or "*.example.com" (Gateway API's Hostname)`,
				`b.cue:17:70: platform.gateway.hostnames."2": invalid host name "a\x00b": '\x00' is not allowed: must be a lower-case DNS name such as "api.example.com" or "*.example.com" (Gateway API's Hostname)`,
			},
		},
		"A host name longer than Gateway API allows is too long": {
			spec: `platform: gateway: hostnames: ["` + strings.Repeat("a.", 127) + `a"]`,
			want: []string{`b.cue:3:32: platform.gateway.hostnames."0": "` + strings.Repeat("a.", 32) + `"… is too long: 255 characters, at most 253`},
		},
		"Integers beyond int64 and at its maximum are out of the schema's bounds, as integers": {
			spec: `teams: platform: quotas: dev: gpus: h100: reserved: 9223372036854775808
teams: platform: quotas: dev: gpus: h100: borrowingLimit: 9223372036854775807
environments: dev: pools: general: nodes: {min: 0, max: 1000001}
services: api: {team: "platform", kind: "api", image: ` + image + `, environments: dev: replicas: 99999999999999999999}
services: api: rateLimit: {requests: 2147483648, per: "second"}
teams: platform: quotas: dev: memory: 1152921504606846977`,
			want: []string{
				`b.cue:3:53: teams.platform.quotas.dev.gpus.h100.reserved: invalid value 9223372036854775808 (out of bound <=1000000)`,
				`b.cue:4:59: teams.platform.quotas.dev.gpus.h100.borrowingLimit: invalid value 9223372036854775807 (out of bound <=1000000)`,
				`b.cue:5:57: environments.dev.pools.general.nodes.max: invalid value 1000001 (out of bound <=1000000)`,
				`b.cue:6:184: services.api.environments.dev.replicas: invalid value 99999999999999999999 (out of bound <=1000000)`,
				`b.cue:7:38: services.api.rateLimit.requests: invalid value 2147483648 (out of bound <=2147483647)`,
				`b.cue:8:39: teams.platform.quotas.dev.memory: invalid value 1152921504606846977 (out of bound <=1152921504606846976)`,
			},
		},
		"A date the calendar lacks is an invalid date": {
			spec: `exceptions: e1: {rule: "x", path: "teams.platform", reason: "r", expires: "2099-02-31"}
exceptions: e2: {rule: "x", path: "teams.platform", reason: "r", expires: "2096-02-29"}
environments: dev: freezes: [{name: "f", start: "2026-02-30T00:00Z", end: "2026-04-31T00:00:00+02:00"}]
governance: changes: c1: {date: "2026-06-31", environment: "dev", system: "x", type: "normal", impact: "low"}
blueprint: start: "2100-02-29"`,
			want: []string{
				`b.cue:3:75: exceptions.e1.expires: invalid date "2099-02-31": February 2099 has 28 days`,
				`b.cue:5:49: environments.dev.freezes."0".start: invalid time "2026-02-30T00:00Z": February 2026 has 28 days`,
				`b.cue:5:75: environments.dev.freezes."0".end: invalid time "2026-04-31T00:00:00+02:00": April 2026 has 30 days`,
				`b.cue:6:33: governance.changes.c1.date: invalid date "2026-06-31": June 2026 has 30 days`,
				`b.cue:7:19: blueprint.start: invalid date "2100-02-29": February 2100 has 28 days`,
			},
		},
		"A structural cycle is reported where it is written": {
			spec: `teams: a: x: teams.a`,
			want: []string{`b.cue:3:11: teams.a.x: structural cycle`},
		},
		"A structural cycle in a definition is reported where it is written": {
			spec: `#Tree: {child: #Tree}
teams: a: x: #Tree`,
			want: []string{`b.cue:3:9: #Tree.child: structural cycle`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for _, decode := range []bool{false, true} {
				got := schemaErrors(t, "package demo\n\n"+tc.spec+"\n", decode)
				if os.Getenv("XPRINT") != "" && decode {
					fmt.Println(strings.Join(got, "\n"))
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("decode=%v: errors differ (-want +got):\n%s", decode, diff)
				}
			}
		})
	}
}

// TestSchemaAcceptsRealValues: the formats refuse nothing a real spec
// writes.
func TestSchemaAcceptsRealValues(t *testing.T) {
	spec := `package demo

services: api: {
	team: "platform", kind: "api", image: ` + image + `
	environments: dev: replicas: 1000000
	routes: [
		{host: "*.example.com", path: "/"},
		{host: "api.example.com", path: "/v1/orders/"},
		{path: "/a/...b/%20x/~user/@me/x.json"},
	]
	rateLimit: {requests: 2147483647, per: "second", by: "header", header: "X-Api_Key.1!#$%&'*+-.^` + "`" + `|~"}
}
platform: gateway: hostnames: ["api.example.com", "*.example.com", "` + strings.Repeat("a", 63) + `.example.com"]
teams: platform: quotas: dev: gpus: h100: {reserved: 1000000, borrowingLimit: 0}
teams: "` + strings.Repeat("a", 63) + `": {owners: ["@a"], onCall: "@a"}
exceptions: e1: {rule: "x", path: "teams.platform", reason: "r", expires: "2096-02-29"}
environments: dev: freezes: [{name: "f", start: "2026-11-27T18:00Z", end: "2026-11-30T23:59:59.5+01:00"}]
teams: platform: quotas: dev: memory: 1152921504606846976
`
	for _, decode := range []bool{false, true} {
		if got := schemaErrors(t, spec, decode); len(got) > 0 {
			t.Errorf("decode=%v: unexpected errors:\n%s", decode, strings.Join(got, "\n"))
		}
	}
}

// schemaErrors validates validSpec with b.cue added and returns its
// diagnostics as "FILE:LINE:COL: MESSAGE".
func schemaErrors(t *testing.T, b string, decode bool) []string {
	t.Helper()
	return formatDiags(schemaDiags(t, b, decode))
}

// schemaDiags validates validSpec with b.cue added and returns its
// diagnostics.
func schemaDiags(t *testing.T, b string, decode bool) diag.Diagnostics {
	t.Helper()
	return validateFiles(t, map[string]string{"a.cue": validSpec, "b.cue": b}, decode)
}

// validateFiles validates a spec of the files, by name, and returns its
// diagnostics.
func validateFiles(t *testing.T, files map[string]string, decode bool) diag.Diagnostics {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkg, ds, err := load.Load(dir, "")
	if err != nil || ds.HasErrors() {
		t.Fatalf("load: %v %v", err, ds)
	}
	_, ds, err = Validate(context.Background(), pkg, Options{Decode: decode})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func formatDiags(ds diag.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s:%d:%d: %s", filepath.Base(d.Pos.File), d.Pos.Line, d.Pos.Column, d.Message))
	}
	return out
}

// TestDecodeError: a value that passes the schema and still does not fit
// the model is reported at its position with a message, never as an empty
// message at the top of a file.
func TestDecodeError(t *testing.T) {
	zeros := strings.Repeat("0", 400)
	got := schemaErrors(t, "package demo\n\nenvironments: dev: pools: big: {memory: 1, cpu: \"1"+zeros+"\"}\n", true)
	want := []string{`b.cue:3:44: environments.dev.pools.big.cpu: invalid CPU amount "1` + zeros + `": want cores (2, 0.5) or millicores (500m)`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors differ (-want +got):\n%s", diff)
	}

	// A number the model's integer cannot hold, which the schema's bounds
	// keep from reaching the model.
	dir := t.TempDir()
	src := "package demo\n\nteams: platform: quotas: dev: gpus: h100: reserved: 5\n"
	if err := os.WriteFile(filepath.Join(dir, "a.cue"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	pkg, _, err := load.Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	te := &json.UnmarshalTypeError{Value: "number 9223372036854775808", Type: reflect.TypeFor[int](), Field: "teams.platform.quotas.dev.gpus.h100.reserved"}
	d := decodeError(pkg, cue.Value{}, te)
	gotOne := formatDiags(diag.Diagnostics{d})[0]
	wantOne := `a.cue:3:43: teams.platform.quotas.dev.gpus.h100.reserved: invalid value 9223372036854775808: out of the range platc can hold`
	if gotOne != wantOne {
		t.Errorf("got  %s\nwant %s", gotOne, wantOne)
	}
}

// TestExplain: the words for each way a value fails a format.
func TestExplain(t *testing.T) {
	tests := map[string]struct {
		explain func(string) string
		value   string
		want    string
	}{
		"A name with characters Kubernetes refuses": {explainName, "a_b", "must be a DNS-1123 label: " + dns1123LabelMsg},
		"A name ending in '-'":                      {explainName, "ab-", "must be a DNS-1123 label: " + dns1123LabelMsg},
		"An empty name":                             {explainName, "", "must be a DNS-1123 label: " + dns1123LabelMsg},
		"A name of 64 characters":                   {explainName, strings.Repeat("a", 64), "must be a DNS-1123 label: must be no more than 63 characters"},
		"A long name with a bad character says what is wrong with the characters": {explainName, strings.Repeat("ü", 40), "must be a DNS-1123 label: " + dns1123LabelMsg},
		"A name starting with a digit":                                            {explainName, "1a", "must start with a letter: names also become Kubernetes Service names, which are DNS-1035 labels"},
		"A host with an upper-case letter":                                        {explainHostname, "Api.example.com", `'A' is not allowed: must be a lower-case DNS name such as "api.example.com" or "*.example.com" (Gateway API's Hostname)`},
		"A host with an empty label":                                              {explainHostname, "a..b", `must be a lower-case DNS name such as "api.example.com" or "*.example.com" (Gateway API's Hostname)`},
		"A wildcard host with a second wildcard":                                  {explainHostname, "*.*.example.com", `'*' is not allowed: must be a lower-case DNS name such as "api.example.com" or "*.example.com" (Gateway API's Hostname)`},
		"A path with a fragment":                                                  {explainPath, "/a#b", "must not contain '#' (Gateway API's path prefix)"},
		"A path ending in '/.'":                                                   {explainPath, "/a/.", "must not end with '/.' (Gateway API's path prefix)"},
		"A path with a broken escape":                                             {explainPath, "/a%zz", "a '%' must start an escape of two hexadecimal digits, such as %20 (Gateway API's path prefix)"},
		"A path with a space":                                                     {explainPath, "/a b", "' ' is not allowed: a path is letters, digits, -._~!$&'()*+,;=:@/ and %-escapes (Gateway API's path prefix)"},
		"A path with a query":                                                     {explainPath, "/a?b", "'?' is not allowed: a path is letters, digits, -._~!$&'()*+,;=:@/ and %-escapes (Gateway API's path prefix)"},
		"An empty header name":                                                    {explainHeaderName, "", "must not be empty: a header name is letters, digits and !#$%&'*+-.^_`|~ (Gateway API's HTTPHeaderName)"},
		"A header name with a colon":                                              {explainHeaderName, ":method", "':' is not allowed: a header name is letters, digits and !#$%&'*+-.^_`|~ (Gateway API's HTTPHeaderName)"},
		"The 29th of February of a common year":                                   {explainTime, "2026-02-29", "February 2026 has 28 days"},
		"The 31st of September":                                                   {explainTime, "2026-09-31T10:00Z", "September 2026 has 30 days"},
		"The 60th minute":                                                         {explainTime, "2026-09-30T10:60:00Z", "there is no minute 60"},
		"An offset of 24 hours":                                                   {explainTime, "2026-09-30T10:00:00+24:00", "the offset +24:00 is out of range"},
	}
	for name, tc := range tests {
		if got := tc.explain(tc.value); got != tc.want {
			t.Errorf("%s: %q\n got  %s\n want %s", name, tc.value, got, tc.want)
		}
	}
}

// TestMisspeltFieldUnderPattern: suggesting the field a misspelt one was
// meant to be, among fields that include a pattern constraint ([string]:),
// reports the error; it used to panic on the pattern's label.
func TestMisspeltFieldUnderPattern(t *testing.T) {
	for _, decode := range []bool{false, true} {
		got := schemaErrors(t, "package demo\n\nteams: platform: quotas: dev: teams.platform\n", decode)
		if len(got) == 0 {
			t.Errorf("decode=%v: no errors", decode)
		}
	}
}

// TestMisspeltField: a field the schema does not allow is one error at
// the label the user wrote, with the field it was probably meant to be,
// whatever its value: a struct or a list is not reported once per field
// inside it. The field may be at any depth, in any section, in a list.
func TestMisspeltField(t *testing.T) {
	tests := map[string]struct {
		spec string
		// more is c.cue, when the case has it.
		more string
		want []string
	}{
		"A misspelt service field whose value is a struct": {
			spec: `services: api: {team: "platform", kind: "api", image: ` + image + `
	ratelimit: {requests: 10, per: "second", burst: 20}
}`,
			want: []string{`b.cue:4:2: services.api.ratelimit: field not allowed (did you mean "rateLimit"?)`},
		},
		"A misspelt service field whose value is a scalar, as before": {
			spec: `services: api: {team: "platform", kind: "api", image: ` + image + `
	rateLimt: 3
}`,
			want: []string{`b.cue:4:2: services.api.rateLimt: field not allowed (did you mean "rateLimit"?)`},
		},
		"A misspelt field inside a struct the schema declares stays where it is": {
			spec: `services: api: {team: "platform", kind: "api", image: ` + image + `
	rateLimit: {requets: 10, per: "second"}
}`,
			want: []string{`b.cue:4:14: services.api.rateLimit.requets: field not allowed (did you mean "requests"?)`},
		},
		"A misspelt team field whose value nests structs": {
			spec: `teams: platform: quota: dev: {cpu: 1, gpus: h100: {reserved: 1}}`,
			want: []string{`b.cue:3:18: teams.platform.quota: field not allowed (did you mean "quotas"?)`},
		},
		"A misspelt field deep inside a map": {
			spec: `teams: platform: quotas: dev: gpuz: h100: {reserved: 1}`,
			want: []string{`b.cue:3:31: teams.platform.quotas.dev.gpuz: field not allowed (did you mean "gpus"?)`},
		},
		"A misspelt environment field whose value is a list of structs": {
			spec: `environments: dev: freezez: [{name: "f", start: "2026-11-27T18:00Z", end: "2026-11-28T18:00Z"}]`,
			want: []string{`b.cue:3:20: environments.dev.freezez: field not allowed (did you mean "freezes"?)`},
		},
		"Misspelt fields in the elements of a list": {
			spec: `services: api: {team: "platform", kind: "api", image: ` + image + `
	routes: [{path: "/", ratelimit: {requests: 1, per: "second"}}, {path: "/b", hots: "api.example.com"}]
}`,
			want: []string{
				`b.cue:4:23: services.api.routes."0".ratelimit: field not allowed (did you mean "rateLimit"?)`,
				`b.cue:4:78: services.api.routes."1".hots: field not allowed (did you mean "host"?)`,
			},
		},
		"A misspelt field written in two files is one error, at both": {
			spec: `services: api: {team: "platform", kind: "api", image: ` + image + `
	ratelimit: {requests: 10}
}`,
			more: `services: api: ratelimit: per: "second"`,
			want: []string{`b.cue:4:2: services.api.ratelimit: field not allowed [c.cue:3:16] (did you mean "rateLimit"?)`},
		},
		"A misspelt field and an error beside it are both reported": {
			spec: `services: api: {team: "platform", kind: "api", image: ` + image + `
	ratelimit: {requests: 10, per: "second"}
	environments: dev: replicas: -1
}`,
			want: []string{
				`b.cue:4:2: services.api.ratelimit: field not allowed (did you mean "rateLimit"?)`,
				`b.cue:5:31: services.api.environments.dev.replicas: invalid value -1 (out of bound >=0) [types.cue:26:15]`,
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for _, decode := range []bool{false, true} {
				files := map[string]string{"a.cue": validSpec, "b.cue": "package demo\n\n" + tc.spec + "\n"}
				if tc.more != "" {
					files["c.cue"] = "package demo\n\n" + tc.more + "\n"
				}
				var got []string
				for _, d := range validateFiles(t, files, decode) {
					line := fmt.Sprintf("%s:%d:%d: %s", filepath.Base(d.Pos.File), d.Pos.Line, d.Pos.Column, d.Message)
					for _, r := range d.Related {
						line += fmt.Sprintf(" [%s:%d:%d]", filepath.Base(r.File), r.Line, r.Column)
					}
					if d.Hint != "" {
						line += " (" + d.Hint + ")"
					}
					got = append(got, line)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("decode=%v: errors differ (-want +got):\n%s", decode, diff)
				}
			}
		})
	}
}
