package cli

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	corev1 "k8s.io/api/core/v1"

	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/providers/gpu"
)

// k8sInventory is the --inventory value that reads the GPU nodes of the
// environments' clusters; "k8s:CONTEXT" reads the environments reached
// through one kubeconfig context.
const k8sInventory = "k8s"

// k8sTimeout bounds the listing of one cluster's nodes.
const k8sTimeout = time.Minute

// splitInventories separates --inventory values into files and the
// kubeconfig contexts to read ("" for every environment's).
func splitInventories(args []string) (files []string, contexts []string, any bool) {
	for _, a := range args {
		switch {
		case a == k8sInventory:
			contexts, any = append(contexts, ""), true
		case strings.HasPrefix(a, k8sInventory+":"):
			contexts, any = append(contexts, strings.TrimPrefix(a, k8sInventory+":")), true
		default:
			files = append(files, a)
		}
	}
	return files, contexts, any
}

// kubeContextOf is the kubeconfig context an environment's cluster is
// reached through: cluster.kubeContext, else the cluster's name
// (cluster.name, default <platform>-<environment>), which is what
// `aws eks update-kubeconfig --alias` and most set-ups name it.
func kubeContextOf(spec *model.Spec, env string) string {
	e := spec.Environments[env]
	if e.Cluster.KubeContext != "" {
		return e.Cluster.KubeContext
	}
	if e.Cluster.Name != "" {
		return e.Cluster.Name
	}
	if spec.Platform != nil && spec.Platform.Name != "" {
		return spec.Platform.Name + "-" + env
	}
	return env
}

// loadK8sInventory reads the GPU nodes of the environments' clusters
// through the kubeconfig (KUBECONFIG, else ~/.kube/config), as the decoded
// spec maps environments to contexts.
func loadK8sInventory(g *globals, spec *model.Spec, contexts []string, now time.Time) (*gpu.Inventory, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kc := g.cfg.Getenv("KUBECONFIG"); kc != "" {
		rules.Precedence = filepath.SplitList(kc)
	}
	raw, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("--inventory k8s: reading the kubeconfig: %v", err)
	}
	known := slices.Sorted(maps.Keys(raw.Contexts))
	where := "the kubeconfig (" + cmp.Or(g.cfg.Getenv("KUBECONFIG"), "~/.kube/config") + ")"

	// The environments to read, with their contexts.
	envs := map[string]string{}
	for _, c := range contexts {
		var matched []string
		for _, env := range slices.Sorted(maps.Keys(spec.Environments)) {
			kc := kubeContextOf(spec, env)
			if c == "" {
				if _, ok := raw.Contexts[kc]; ok {
					envs[env] = kc
					matched = append(matched, env)
				}
				continue
			}
			if kc == c {
				envs[env] = kc
				matched = append(matched, env)
			}
		}
		switch {
		case c != "" && raw.Contexts[c] == nil:
			return nil, fmt.Errorf("--inventory k8s:%s: %s has no context %s; it has: %s", c, where, c, joinOrNone(known))
		case c != "" && len(matched) == 0:
			return nil, fmt.Errorf("--inventory k8s:%s: no environment's cluster is reached through context %s: set environments.ENV.cluster.kubeContext: %q (the environments' contexts are now %s)", c, c, c, contextList(spec))
		case c == "" && len(matched) == 0:
			return nil, fmt.Errorf("--inventory k8s: %s has none of the environments' contexts (%s); it has: %s. Set environments.ENV.cluster.kubeContext, or name one with --inventory k8s:CONTEXT", where, contextList(spec), joinOrNone(known))
		}
	}
	inv := &gpu.Inventory{Environments: map[string]*gpu.EnvironmentInventory{}}
	for _, env := range slices.Sorted(maps.Keys(envs)) {
		kc := envs[env]
		cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, kc, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("environment %s: context %s: %v", env, kc, err)
		}
		cfg.Timeout = k8sTimeout
		cfg.UserAgent = "platc/" + buildVersion().Version
		client, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("environment %s: context %s: %v", env, kc, err)
		}
		nodes, err := listNodes(client)
		if err != nil {
			if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
				return nil, fmt.Errorf("environment %s: the credentials of context %s may not list nodes (verb list, resource nodes, cluster-wide): %v; grant a ClusterRole with get and list on nodes", env, kc, err)
			}
			return nil, fmt.Errorf("environment %s: listing the nodes of context %s at %s: %v", env, kc, cfg.Host, err)
		}
		hosts, problems, err := gpu.FromNodes(spec, env, nodes, now)
		if err != nil {
			return nil, fmt.Errorf("environment %s (context %s): %w", env, kc, err)
		}
		// A cluster without GPU nodes is an environment with no GPUs: its
		// pools' GPUs are unbacked.
		inv.Environments[env] = &gpu.EnvironmentInventory{Hosts: hosts}
		inv.Problems = append(inv.Problems, problems...)
	}
	return inv, nil
}

// listNodes lists every node, 500 to a request.
func listNodes(client kubernetes.Interface) ([]corev1.Node, error) {
	ctx, cancel := context.WithTimeout(context.Background(), k8sTimeout)
	defer cancel()
	var out []corev1.Node
	opts := metav1.ListOptions{Limit: 500}
	for {
		l, err := client.CoreV1().Nodes().List(ctx, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
		if l.Continue == "" {
			return out, nil
		}
		opts.Continue = l.Continue
	}
}

func contextList(spec *model.Spec) string {
	var s []string
	for _, env := range slices.Sorted(maps.Keys(spec.Environments)) {
		s = append(s, env+" → "+kubeContextOf(spec, env))
	}
	return strings.Join(s, ", ")
}

func joinOrNone(s []string) string {
	if len(s) == 0 {
		return "no contexts"
	}
	return strings.Join(s, ", ")
}

// mergeInventories adds the clusters' environments to the files'. An
// environment read from both is refused: which would be right?
func mergeInventories(files, clusters *gpu.Inventory) (*gpu.Inventory, error) {
	if files == nil {
		return clusters, nil
	}
	if clusters == nil {
		return files, nil
	}
	for env, e := range clusters.Environments {
		if f, ok := files.Environments[env]; ok {
			return nil, fmt.Errorf("environment %s is inventoried by %s and read from its cluster: give one of them", env, f.Files())
		}
		files.Environments[env] = e
	}
	files.Problems = append(files.Problems, clusters.Problems...)
	return files, nil
}
