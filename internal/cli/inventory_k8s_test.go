package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/platc-dev/platc/internal/cli"
	"github.com/platc-dev/platc/internal/kubetest"
)

const clusterSpec = `package demo

platform: {
	name:  "demo"
	owner: "platform"
}

environments: dev: {
	tier:  "dev"
	owner: "platform"
	pools: general: {cpu: 16, memory: "64Gi"}
}

environments: prod: {
	tier:  "prod"
	owner: "platform"
	cluster: kubeContext: "gpu-prod"
	pools: general: {cpu: 64, memory: "256Gi"}
	pools: h100: {cpu: 192, memory: "2Ti", gpus: h100: {count: 24}}
	pools: a100: {cpu: 64, memory: "1Ti", gpus: "a100-80gb": {count: 4, migStrategy: "mixed", mig: {"1g.10gb": 21, "3g.40gb": 2}}}
}

teams: platform: {
	owners: ["@alice"]
	onCall: "@alice"
}

teams: search: {
	owners: ["@bob"]
	onCall: "@bob"
	quotas: prod: {cpu: 32, memory: "128Gi", gpus: h100: {reserved: 8}}
}
`

// gpuNode creates a Node as GPU Feature Discovery labels it and the device
// plugin reports it (capacity and allocatable are status: set after).
func gpuNode(t *testing.T, c kubernetes.Interface, name string, labels map[string]string, capacity, allocatable map[string]int64, cordoned bool) {
	t.Helper()
	ctx := context.Background()
	n, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: corev1.NodeSpec{Unschedulable: cordoned}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n.Status.Capacity, n.Status.Allocatable = corev1.ResourceList{}, corev1.ResourceList{}
	for k, v := range capacity {
		n.Status.Capacity[corev1.ResourceName(k)] = *resource.NewQuantity(v, resource.DecimalSI)
	}
	for k, v := range allocatable {
		n.Status.Allocatable[corev1.ResourceName(k)] = *resource.NewQuantity(v, resource.DecimalSI)
	}
	if _, err := c.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// kubeconfig writes a kubeconfig whose contexts reach the server: each
// context name maps to a user (in system:masters when admin), plus one
// context for a server nobody listens on.
func kubeconfig(t *testing.T, s *kubetest.Server, path string, users map[string]bool) {
	t.Helper()
	out := clientcmdapi.NewConfig()
	for ctxName, admin := range users {
		var groups []string
		if admin {
			groups = []string{"system:masters"}
		}
		b, err := s.Kubeconfig(ctxName+"-user", groups...)
		if err != nil {
			t.Fatal(err)
		}
		c, err := clientcmd.Load(b)
		if err != nil {
			t.Fatal(err)
		}
		cur := c.Contexts[c.CurrentContext]
		out.Clusters[ctxName] = c.Clusters[cur.Cluster]
		out.AuthInfos[ctxName] = c.AuthInfos[cur.AuthInfo]
		out.Contexts[ctxName] = &clientcmdapi.Context{Cluster: ctxName, AuthInfo: ctxName}
	}
	out.Clusters["gone"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
	out.AuthInfos["gone"] = &clientcmdapi.AuthInfo{Token: "x"}
	out.Contexts["gone"] = &clientcmdapi.Context{Cluster: "gone", AuthInfo: "gone"}
	if err := clientcmd.WriteToFile(*out, path); err != nil {
		t.Fatal(err)
	}
}

func platc(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), cli.Config{Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader("")}, args)
	return code, stdout.String(), stderr.String()
}

// The GPU nodes of a real kube-apiserver, read through a kubeconfig as
// GPU Feature Discovery and the device plugin describe them: whole H100s,
// one of them short of two GPUs and one cordoned; an A100 node with the
// single MIG strategy and one with mixed; a node without labels.
func TestInventoryFromCluster(t *testing.T) {
	s := kubetest.Start(t)
	c, err := kubernetes.NewForConfig(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	h100 := map[string]string{"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3", "nvidia.com/gpu.count": "8", "nvidia.com/mig.strategy": "none"}
	gpus := func(n int64) map[string]int64 { return map[string]int64{"nvidia.com/gpu": n, "cpu": 192} }
	gpuNode(t, c, "h100-a", h100, gpus(8), gpus(8), false)
	gpuNode(t, c, "h100-b", h100, gpus(8), gpus(6), false)
	gpuNode(t, c, "h100-c", h100, gpus(8), gpus(8), true)
	gpuNode(t, c, "a100-single", map[string]string{"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB-MIG-1g.10gb", "nvidia.com/gpu.count": "14", "nvidia.com/mig.strategy": "single"},
		gpus(14), gpus(14), false)
	mixed := map[string]int64{"nvidia.com/mig-1g.10gb": 7, "nvidia.com/mig-3g.40gb": 2}
	gpuNode(t, c, "a100-mixed", map[string]string{"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB", "nvidia.com/gpu.count": "2", "nvidia.com/mig.strategy": "mixed",
		"nvidia.com/mig-1g.10gb.count": "7", "nvidia.com/mig-3g.40gb.count": "2"}, mixed, mixed, false)
	gpuNode(t, c, "bare", nil, gpus(4), gpus(4), false)
	gpuNode(t, c, "cpu-1", map[string]string{"kubernetes.io/os": "linux"}, map[string]int64{"cpu": 64}, map[string]int64{"cpu": 64}, false)

	dir := t.TempDir()
	spec := filepath.Join(dir, "spec")
	if err := os.MkdirAll(spec, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(spec, "spec.cue"), []byte(clusterSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	kc := filepath.Join(dir, "kubeconfig")
	kubeconfig(t, s, kc, map[string]bool{"gpu-prod": true, "viewer": false})
	t.Setenv("KUBECONFIG", kc)

	code, stdout, stderr := platc("inventory", "reconcile", "--inventory", "k8s", "--now", "2026-12-03T10:00:00Z", spec)
	if code != cli.ExitFindings {
		t.Fatalf("reconcile exited %d, want 1 (the H100 pool is unbacked)\n%s\n%s", code, stdout, stderr)
	}
	t.Logf("\n%s\n%s", stdout, stderr)
	wantTable := `ENVIRONMENT  MODEL      DECLARED  RESERVED  DISCOVERED  IDLE        STATUS
prod         a100-80gb  4         0         4           4 (100.0%)  idle
prod         h100       24        8         14          6 (42.9%)   unbacked,idle
`
	if stdout != wantTable {
		t.Errorf("table:\n%s\nwant:\n%s", stdout, wantTable)
	}
	for _, want := range []string{
		"error gpu-pool-unbacked: pool h100 declares 24 h100 GPU(s) (the environment's pools 24 in all) but only 14 were discovered in prod",
		"warning gpu-node-missing: prod: node h100-b offers 2 fewer GPUs than it has (allocatable below capacity: lost after errors); they count as missing",
		"warning gpu-node-missing: prod: node h100-c is cordoned: its 8 GPUs count as missing",
		"warning gpu-node-missing: prod: node bare has 4 GPUs and no GPU Feature Discovery labels: their product is unknown, so they back no GPU model",
		"hint: run GPU Feature Discovery (the GPU Operator does)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in\n%s", want, stderr)
		}
	}
	// 21 1g.10gb instances declared, 7 + 14 configured: no MIG finding.
	if strings.Contains(stderr, "gpu-mig-missing") {
		t.Errorf("a MIG profile reported missing:\n%s", stderr)
	}

	// check reads the same cluster, through the environment's context.
	code, _, stderr = platc("check", "--inventory", "k8s:gpu-prod", "--now", "2026-12-03T10:00:00Z", spec)
	if code != cli.ExitFindings || !strings.Contains(stderr, "error gpu-pool-unbacked") || strings.Count(stderr, "warning gpu-node-missing") != 3 {
		t.Errorf("check --inventory k8s:gpu-prod exited %d, want 1 with the same findings:\n%s", code, stderr)
	}

	for _, tc := range []struct{ name, arg, want string }{
		{"a context the kubeconfig lacks", "k8s:staging", "--inventory k8s:staging: the kubeconfig (" + kc + ") has no context staging; it has: gone, gpu-prod, viewer"},
		{"a context no environment is reached through", "k8s:viewer", "--inventory k8s:viewer: no environment's cluster is reached through context viewer: set environments.ENV.cluster.kubeContext: \"viewer\" (the environments' contexts are now dev → demo-dev, prod → gpu-prod)"},
	} {
		code, _, stderr := platc("inventory", "reconcile", "--inventory", tc.arg, spec)
		if code != cli.ExitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, want 2 with %q:\n%s", tc.name, code, tc.want, stderr)
		}
	}

	// The environment's context, pointed at credentials that may not list
	// nodes, and at a server nobody listens on.
	for _, tc := range []struct{ name, context, want string }{
		{"no RBAC", "viewer", "environment prod: the credentials of context gpu-prod may not list nodes (verb list, resource nodes, cluster-wide)"},
		{"unreachable", "gone", "environment prod: listing the nodes of context gpu-prod at https://127.0.0.1:1: "},
	} {
		cfg, err := clientcmd.LoadFromFile(kc)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Contexts["gpu-prod"] = cfg.Contexts[tc.context]
		other := filepath.Join(dir, tc.context+".kubeconfig")
		if err := clientcmd.WriteToFile(*cfg, other); err != nil {
			t.Fatal(err)
		}
		t.Setenv("KUBECONFIG", other)
		code, _, stderr := platc("inventory", "reconcile", "--inventory", "k8s", spec)
		if code != cli.ExitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, want 2 with %q:\n%s", tc.name, code, tc.want, stderr)
		}
	}
}
