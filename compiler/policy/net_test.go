package policy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPoliciesReachOnlyTheAllowedHosts: policies are hermetic unless
// AllowNet names a host. A policy that asks http.send (or
// net.lookup_ip_addr, or a JSON schema's remote $ref) for any other host
// fails at the expression, and no connection reaches the host.
func TestPoliciesReachOnlyTheAllowedHosts(t *testing.T) {
	var conns, requests atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"type": "object"}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	host, _, _ = strings.Cut(host, ":")

	const send = `# METADATA
# custom:
#   id: phone-home
package platc.custom.phone_home

deny contains {"msg": sprintf("sent: %d", [resp.status_code]), "path": "teams"} if {
	resp := http.send({"method": "GET", "url": "URL/x"})
}
`
	const lookup = `package platc.custom.lookup

deny contains {"msg": "looked up", "path": "teams"} if {
	count(net.lookup_ip_addr("localhost")) > 0
}
`
	const schema = `package platc.custom.schema_ref

deny contains {"msg": "matched", "path": "teams"} if {
	[ok, _] := json.match_schema({}, {"$ref": "URL/schema.json"})
	ok
}
`
	tests := map[string]struct {
		policy       string
		allowNet     []string
		wantErr      string // in the EvalError's message; "" for none
		wantMsg      string // in the finding's message, when there is no error
		wantRequests int64
	}{
		"http.send reaches no host by default": {
			policy:  send,
			wantErr: "policy platc.custom.phone_home: http.send: disallowed host: " + host,
		},
		"http.send reaches no host that allow_net does not name": {
			policy:   send,
			allowNet: []string{"example.com"},
			wantErr:  "http.send: disallowed host: " + host,
		},
		"http.send reaches the host allow_net names": {
			policy:       send,
			allowNet:     []string{host},
			wantMsg:      "sent: 200",
			wantRequests: 1,
		},
		"net.lookup_ip_addr resolves no name by default": {
			policy:  lookup,
			wantErr: "net.lookup_ip_addr: disallowed host: localhost",
		},
		"a JSON schema's remote $ref is not fetched by default": {
			policy:  schema,
			wantErr: "json.match_schema: remote reference loading disabled: " + srv.URL,
		},
		"a JSON schema's remote $ref is fetched from the host allow_net names": {
			policy:       schema,
			allowNet:     []string{host},
			wantMsg:      "matched",
			wantRequests: 1,
		},
	}
	in := oneTeamInput(t)
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv.CloseClientConnections()
			conns.Store(0)
			requests.Store(0)
			src := strings.ReplaceAll(tt.policy, "URL", srv.URL)
			eng, ds := CompileWith(context.Background(), []Source{{Name: "pol/p.rego", Src: []byte(src)}}, Options{AllowNet: tt.allowNet})
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			raw, err := eng.Eval(context.Background(), in.Value)
			var ee *EvalError
			switch {
			case tt.wantErr != "":
				if !errors.As(err, &ee) {
					t.Fatalf("Eval = %v, want an *EvalError", err)
				}
				if !strings.Contains(ee.Diag.Message, tt.wantErr) || !ee.Net {
					t.Errorf("error %q (net %v), want %q (net)", ee.Diag.Message, ee.Net, tt.wantErr)
				}
				if ee.Diag.Pos.File != "pol/p.rego" || ee.Diag.Pos.Line == 0 {
					t.Errorf("error at %s, want a line of pol/p.rego", ee.Diag.Pos)
				}
			case err != nil:
				t.Fatal(err)
			default:
				found, refused := eng.Findings(raw, in, paths{})
				if len(found) != 1 || len(refused) != 0 || !strings.Contains(found[0].Message, tt.wantMsg) {
					t.Errorf("findings %v (refused %v), want one with %q", found, refused, tt.wantMsg)
				}
			}
			if got := requests.Load(); got != tt.wantRequests {
				t.Errorf("%d requests reached the server, want %d", got, tt.wantRequests)
			}
			if tt.wantRequests == 0 && conns.Load() != 0 {
				t.Errorf("%d connections reached the server, want none", conns.Load())
			}
		})
	}
}
