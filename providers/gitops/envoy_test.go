package gitops_test

import (
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	// The extensions the guards' configurations name, registered for
	// their typed_config.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/local_ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"

	"github.com/platc-dev/platc/providers/gitops"
)

type validator interface{ ValidateAll() error }

// validateAny unpacks a typed_config into Envoy's own message and runs
// its proto validation rules (protoc-gen-validate), which Bootstrap's
// own validation does not reach into.
func validateAny(t *testing.T, where string, a *anypb.Any) proto.Message {
	t.Helper()
	m, err := a.UnmarshalNew()
	if err != nil {
		t.Fatalf("%s: %s: %v", where, a.GetTypeUrl(), err)
	}
	if v, ok := m.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			t.Errorf("%s: %s: %v", where, a.GetTypeUrl(), err)
		}
	}
	return m
}

// TestEgressGuardsAreValidEnvoy reads every egress guard's configuration
// the way Envoy does: into its bootstrap proto (unknown fields are
// errors), with every typed extension unpacked and validated by Envoy's
// own rules, and every route's cluster defined.
func TestEgressGuardsAreValidEnvoy(t *testing.T) {
	_, tree := render(t, "../../examples/acme-shop")
	guards := 0
	for _, name := range tree.Paths() {
		for _, d := range docs(tree[name]) {
			if !strings.Contains(string(d), "envoy.yaml") {
				continue
			}
			var cm corev1.ConfigMap
			if err := yaml.UnmarshalStrict(d, &cm); err != nil || cm.Kind != "ConfigMap" {
				continue
			}
			where := name + ": " + cm.Name
			if cm.Labels[gitops.LabelEgress] == "" {
				t.Errorf("%s: an Envoy configuration outside a guard", where)
			}
			guards++
			js, err := yaml.YAMLToJSON([]byte(cm.Data["envoy.yaml"]))
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var boot bootstrapv3.Bootstrap
			if err := protojson.Unmarshal(js, &boot); err != nil {
				t.Fatalf("%s: not an Envoy bootstrap: %v", where, err)
			}
			if err := boot.ValidateAll(); err != nil {
				t.Errorf("%s: %v", where, err)
			}
			clusters := map[string]bool{}
			for _, c := range boot.GetStaticResources().GetClusters() {
				clusters[c.GetName()] = true
				if ts := c.GetTransportSocket(); ts != nil {
					validateAny(t, where+": cluster "+c.GetName(), ts.GetTypedConfig())
				}
			}
			if addr := boot.GetAdmin().GetAddress().GetSocketAddress().GetAddress(); addr != "127.0.0.1" {
				t.Errorf("%s: the admin interface listens on %q, not loopback", where, addr)
			}
			for _, l := range boot.GetStaticResources().GetListeners() {
				for _, fc := range l.GetFilterChains() {
					for _, f := range fc.GetFilters() {
						hcm, ok := validateAny(t, where+": listener "+l.GetName(), f.GetTypedConfig()).(*hcmv3.HttpConnectionManager)
						if !ok {
							t.Fatalf("%s: listener %s: filter %s is no HTTP connection manager", where, l.GetName(), f.GetName())
						}
						for _, hf := range hcm.GetHttpFilters() {
							validateAny(t, where+": http filter "+hf.GetName(), hf.GetTypedConfig())
						}
						for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
							for _, r := range vh.GetRoutes() {
								if c := r.GetRoute().GetCluster(); c != "" && !clusters[c] {
									t.Errorf("%s: listener %s routes to cluster %q, which is not defined", where, l.GetName(), c)
								}
								if r.GetRoute() == nil && r.GetDirectResponse() == nil {
									t.Errorf("%s: listener %s has a route that neither forwards nor answers", where, l.GetName())
								}
							}
						}
					}
				}
			}
		}
	}
	// acme-shop: per environment, the checkout and support guards (each
	// with its exhausted pool) and the integrations' guards of their callers.
	if guards < 6 {
		t.Errorf("found %d guard configurations in acme-shop, want at least 6", guards)
	}
}
