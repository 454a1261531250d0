package plan

import (
	"crypto/sha256"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/platc-dev/platc/compiler/model"
)

// DefaultEgressImage is the schema's default platform.egress.image.
const DefaultEgressImage = "docker.io/envoyproxy/envoy:distroless-v1.36.2"

// GuardPort is where an egress guard takes its workload's calls, and
// GuardMetricsPort where Prometheus reads its counters (and the kubelet
// its readiness).
const (
	GuardPort        = 8080
	GuardMetricsPort = 9902
)

// Guard is the egress proxy (Envoy) a workload reaches an upstream
// through. It enforces the upstream's rate limit; with a budget, a second
// pool takes the calls once the budget is spent and sends them to the
// fallback (degrade) or refuses them (circuit-break, block). The workload
// is given the guard's URL and may reach the upstream no other way.
type Guard struct {
	// Name of the guard's Service, Deployment and ServiceAccount.
	Name string `json:"name"`
	// URL is what the workload calls instead of the upstream's: the
	// guard's Service with the upstream URL's path.
	URL string `json:"url"`
	// Env is the variable the URL is given to the workload in.
	Env string `json:"env"`
	// Target is the upstream the guard forwards to.
	Target GuardTarget `json:"target"`
	// Cluster is the guard's Envoy cluster for the upstream: the spend
	// of a priced budget is counted from its requests.
	Cluster string `json:"cluster"`
	// RateLimit is this guard's share of the upstream's limit: all of a
	// service's own upstream, an even share of an integration's among
	// the environment's callers. Nil without a limit the guard enforces.
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	// Exhausted is the pool that takes the calls once the budget is
	// spent; nil without a budget or with a fallback platc cannot reach.
	Exhausted *Exhausted `json:"exhausted,omitempty"`
}

// GuardTarget is where a guard sends calls.
type GuardTarget struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	TLS  bool   `json:"tls"`
	// Namespace and Service name a fallback service of the spec, which
	// the network and mesh policies let the guard call.
	Namespace string `json:"namespace,omitempty"`
	Service   string `json:"service,omitempty"`
}

// Exhausted is the pool of a guard that serves once the budget is spent.
type Exhausted struct {
	Name   string `json:"name"`
	Action string `json:"action"`
	// Fallback is where degraded calls go; nil when the pool refuses them
	// with Status.
	Fallback *GuardTarget `json:"fallback,omitempty"`
	Status   int          `json:"status,omitempty"`
}

// guardTarget parses an upstream's URL.
func guardTarget(raw string) (GuardTarget, error) {
	if raw == "" {
		return GuardTarget{}, fmt.Errorf("it has no url, so no egress guard can forward its calls")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return GuardTarget{}, fmt.Errorf("its url %q is no http or https URL with a host", raw)
	}
	t := GuardTarget{Host: u.Hostname(), TLS: u.Scheme == "https", Port: 80}
	if t.TLS {
		t.Port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return GuardTarget{}, fmt.Errorf("its url %q has no valid port", raw)
		}
		t.Port = n
	}
	return t, nil
}

// guardUpstreams gives each upstream of env's workloads that has a rate
// limit or a budget its egress guard.
func guardUpstreams(spec *model.Spec, e *Environment) {
	// An integration's limit is shared among its callers here.
	callers := map[string]int{}
	for _, ns := range e.Namespaces {
		for _, wl := range ns.Workloads {
			for _, u := range wl.Upstreams {
				if u.Integration {
					callers[u.Name]++
				}
			}
		}
	}
	for _, ns := range e.Namespaces {
		for _, wl := range ns.Workloads {
			for _, u := range wl.Upstreams {
				if u.RateLimit == nil && u.Budget == nil {
					continue
				}
				target, err := guardTarget(u.URL)
				if err != nil {
					continue
				}
				g := &Guard{
					Name: GuardName(wl.Name, u.Name), Target: target, Cluster: "upstream",
					Env: "PLATC_UPSTREAM_" + envName(u.Name) + "_URL",
				}
				if u.Integration {
					g.Cluster = "integration-" + u.Name
				}
				path := ""
				if parsed, err := url.Parse(u.URL); err == nil {
					path = strings.TrimSuffix(parsed.EscapedPath(), "/")
				}
				g.URL = "http://" + net.JoinHostPort(g.Name+"."+ns.Name+".svc.cluster.local", strconv.Itoa(GuardPort)) + path
				if rl := u.RateLimit; rl != nil && rl.By == "global" {
					share := *rl
					if n := callers[u.Name]; u.Integration && n > 1 {
						share.Requests = max(rl.Requests/n, 1)
						share.Burst = rl.Burst / n
					}
					g.RateLimit = &share
				}
				if b := u.Budget; b != nil {
					g.Exhausted = exhausted(spec, e, g.Name, b)
				}
				if g.RateLimit == nil && u.Budget == nil {
					continue
				}
				u.Guard = g
			}
		}
	}
}

// exhausted is the pool that serves a guard's calls once its budget is
// spent, or nil when a degrade fallback is neither a service placed in
// env nor a URL.
func exhausted(spec *model.Spec, e *Environment, guard string, b *Budget) *Exhausted {
	x := &Exhausted{Name: guard + "-exhausted", Action: b.OnExhausted}
	switch b.OnExhausted {
	case "circuit-break":
		// The circuit is open: callers see the upstream unavailable and
		// retry later.
		x.Status = 503
	case "block":
		x.Status = 403
	default:
		t, ok := fallbackTarget(spec, e, b.Fallback)
		if !ok {
			return nil
		}
		x.Fallback = &t
	}
	return x
}

// fallbackTarget resolves a degrade fallback: a service of the spec
// placed in env, or an http(s) URL.
func fallbackTarget(spec *model.Spec, e *Environment, fallback string) (GuardTarget, bool) {
	if svc, ok := spec.Services[fallback]; ok {
		if _, placed := svc.Environments[e.Name]; placed {
			return GuardTarget{
				Host: svc.Name + "." + svc.Team + ".svc.cluster.local", Port: svc.Port,
				Namespace: svc.Team, Service: svc.Name,
			}, true
		}
		return GuardTarget{}, false
	}
	t, err := guardTarget(fallback)
	return t, err == nil
}

// GuardName is the name of a workload's guard for an upstream: at most
// 52 characters, so that its exhausted pool's name is a DNS label too.
func GuardName(workload, upstream string) string {
	name := workload + "-" + upstream + "-egress"
	if len(name) <= 52 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return strings.TrimRight(name[:43], "-") + "-" + fmt.Sprintf("%x", sum[:4])
}

// envName makes an upstream's name part of an environment variable's.
func envName(s string) string {
	return strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
}
