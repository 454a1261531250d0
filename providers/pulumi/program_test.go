package pulumi

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	sdk "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/platc-dev/platc/compiler/plan"
)

// registered is a resource the program registered with the mock engine.
type registered struct {
	Type, Name string
	Custom     bool
	// Parent is "type name" of the parent, "" for the stack.
	Parent string
	Inputs resource.PropertyMap
}

type mocks struct {
	mu   sync.Mutex
	list []*registered
}

func (m *mocks) NewResource(args sdk.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := &registered{Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: args.Inputs}
	if p := args.RegisterRPC.GetParent(); p != "" {
		// A URN ends with its (qualified) type and name.
		for _, pr := range m.list {
			if strings.HasSuffix(p, pr.Type+"::"+pr.Name) {
				r.Parent = pr.Type + " " + pr.Name
			}
		}
	}
	m.list = append(m.list, r)
	outs := args.Inputs.Copy()
	switch args.TypeToken {
	case "aws:eks/cluster:Cluster":
		outs["endpoint"] = resource.NewProperty("https://example.eks.amazonaws.com")
		outs["arn"] = resource.NewProperty("arn:aws:eks:eu-central-1:1:cluster/" + args.Name)
		outs["certificateAuthority"] = resource.NewProperty(resource.PropertyMap{"data": resource.NewProperty("Q0E=")})
	case "aws:iam/role:Role":
		outs["arn"] = resource.NewProperty("arn:aws:iam::1:role/" + args.Name)
		outs["name"] = resource.NewProperty(args.Name)
	case "aws:ecr/repository:Repository":
		outs["repositoryUrl"] = resource.NewProperty("1.dkr.ecr.eu-central-1.amazonaws.com/" + args.Inputs["name"].StringValue())
	}
	return args.Name + "-id", outs, nil
}

func (m *mocks) Call(args sdk.MockCallArgs) (resource.PropertyMap, error) { return args.Args, nil }

func run(t *testing.T, s *Stack, o Options) (*mocks, error) {
	t.Helper()
	m := &mocks{}
	err := sdk.RunErr(Program(s, o), sdk.WithMocks("acme", "prod", m))
	return m, err
}

func (m *mocks) find(typ, name string) *registered {
	for _, r := range m.list {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

func (m *mocks) custom() []string {
	var out []string
	for _, r := range m.list {
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			out = append(out, r.Type+" "+r.Name)
		}
	}
	// Resources waiting on others' outputs register in any order.
	slices.Sort(out)
	return out
}

func testPlan(provider string, pools ...*plan.Pool) (*plan.Plan, *plan.Environment) {
	env := &plan.Environment{
		Name: "prod", Tier: "prod", Owner: "platform",
		Cluster: plan.Cluster{Name: "acme-prod", Provider: provider, Region: "eu-central-1", KubernetesVersion: "1.34",
			SubnetIDs: []string{"subnet-0a", "subnet-0b"}},
		Pools: pools,
		Namespaces: []*plan.Namespace{{
			Name: "search", Team: "search", Quota: plan.Quota{CPUMilli: 64000, MemoryBytes: 256 << 30, GPUs: 8},
			Queue: &plan.Queue{GPUs: []*plan.QueueGPUs{{Model: "h100", Nominal: 8, BorrowingLimit: 4}}},
			Workloads: []*plan.Workload{{Service: "ranker", Team: "search", Image: "reg/ranker@sha256:ab", Replicas: 3,
				GPU: &plan.WorkloadGPU{Model: "h100", Count: 1}}},
		}},
	}
	p := &plan.Plan{
		Platform: plan.Platform{
			Name:      "acme",
			GitOps:    plan.GitOps{Engine: "argocd", Repo: "https://git.example.com/acme/gitops.git", Branch: "main", Path: "gitops", Namespace: "argocd"},
			Pulumi:    plan.Pulumi{Project: "acme", SecretsProvider: "passphrase"},
			Lakehouse: &plan.Lakehouse{Format: "iceberg", Storage: "s3", Bucket: "acme-lake", Owner: "data"},
		},
		Environments: []*plan.Environment{env},
	}
	return p, env
}

func gpuPool(name, model, product string, count, burst int) *plan.Pool {
	return &plan.Pool{Name: name, CPUMilli: 192000, MemoryBytes: 2 << 40,
		GPUs: []*plan.PoolGPUs{{Model: model, Product: product, Count: count, Burst: burst}}}
}

// nodeGroup is what a test expects of a pool's node group.
type nodeGroup struct {
	Instance      string
	Min, Max, Des int
	Capacity, AMI string
	Product       string // the nvidia.com/gpu.product label, "" for none
	Tainted       bool
}

func TestNodeGroupsFromPools(t *testing.T) {
	withNodes := func(p *plan.Pool, min, max, burst int, spot bool, instance string) *plan.Pool {
		p.MinNodes, p.MaxNodes, p.BurstNodes, p.Spot, p.InstanceType = min, max, burst, spot, instance
		return p
	}
	tests := []struct {
		name string
		pool *plan.Pool
		want nodeGroup
	}{{
		name: "H100 pool sized from its GPUs, burst adds nodes",
		pool: gpuPool("gpu-h100", "h100", "NVIDIA H100 80GB HBM3", 16, 8),
		want: nodeGroup{"p5.48xlarge", 2, 3, 2, "ON_DEMAND", "AL2023_x86_64_NVIDIA", "NVIDIA-H100-80GB-HBM3", true},
	}, {
		name: "partial node rounds up",
		pool: gpuPool("gpu-a100", "a100", "NVIDIA A100-SXM4-40GB", 12, 0),
		want: nodeGroup{"p4d.24xlarge", 2, 2, 2, "ON_DEMAND", "AL2023_x86_64_NVIDIA", "NVIDIA-A100-SXM4-40GB", true},
	}, {
		name: "declared node range and instance type win, burst on top, spot",
		pool: withNodes(gpuPool("gpu-l4", "l4", "NVIDIA L4", 8, 0), 1, 2, 1, true, "g6.12xlarge"),
		want: nodeGroup{"g6.12xlarge", 1, 3, 1, "SPOT", "AL2023_x86_64_NVIDIA", "NVIDIA-L4", true},
	}, {
		name: "CPU pool sized from its cores",
		pool: &plan.Pool{Name: "general", CPUMilli: 64000, MemoryBytes: 256 << 30},
		want: nodeGroup{"m7i.4xlarge", 4, 4, 4, "ON_DEMAND", "AL2023_x86_64_STANDARD", "", false},
	}, {
		name: "small CPU pool still gets a node",
		pool: &plan.Pool{Name: "tiny", CPUMilli: 2000, MemoryBytes: 8 << 30},
		want: nodeGroup{"m7i.4xlarge", 1, 1, 1, "ON_DEMAND", "AL2023_x86_64_STANDARD", "", false},
	}, {
		name: "GPU model without a table entry needs its instance type from the spec",
		pool: withNodes(gpuPool("gpu-rtx", "rtx6000-ada", "NVIDIA RTX 6000 Ada Generation", 4, 0), 0, 2, 0, false, "g6e.12xlarge"),
		want: nodeGroup{"g6e.12xlarge", 0, 2, 0, "ON_DEMAND", "AL2023_x86_64_NVIDIA", "NVIDIA-RTX-6000-Ada-Generation", true},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, env := testPlan("aws", tt.pool)
			m, err := run(t, BuildStack(p, env), Options{})
			if err != nil {
				t.Fatal(err)
			}
			ng := m.find("aws:eks/nodeGroup:NodeGroup", "prod-"+tt.pool.Name+"-nodes")
			if ng == nil {
				t.Fatalf("no node group for pool %s; registered %v", tt.pool.Name, m.custom())
			}
			if want := TypeGPUPool + " prod-" + tt.pool.Name; ng.Parent != want {
				t.Errorf("node group parent = %q, want %q", ng.Parent, want)
			}
			in := ng.Inputs
			sc := in["scalingConfig"].ObjectValue()
			got := nodeGroup{
				Instance: in["instanceTypes"].ArrayValue()[0].StringValue(),
				Min:      int(sc["minSize"].NumberValue()), Max: int(sc["maxSize"].NumberValue()), Des: int(sc["desiredSize"].NumberValue()),
				Capacity: in["capacityType"].StringValue(), AMI: in["amiType"].StringValue(),
				Tainted: in.HasValue("taints") && len(in["taints"].ArrayValue()) == 1,
			}
			if l := in["labels"].ObjectValue(); l.HasValue("nvidia.com/gpu.product") {
				got.Product = l["nvidia.com/gpu.product"].StringValue()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("node group (-want +got):\n%s", diff)
			}
			if v := in["subnetIds"].ArrayValue(); len(v) != 2 {
				t.Errorf("subnetIds = %v", v)
			}
		})
	}
}

func TestAWSStackResources(t *testing.T) {
	p, env := testPlan("aws", gpuPool("gpu", "h100", "NVIDIA H100 80GB HBM3", 8, 0))
	m, err := run(t, BuildStack(p, env), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"aws:iam/role:Role prod-cluster-role",
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment prod-cluster-role-eks",
		"aws:eks/cluster:Cluster prod-cluster",
		"aws:iam/role:Role prod-node-role",
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment prod-node-role-amazoneksworkernodepolicy",
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment prod-node-role-amazoneks-cni-policy",
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment prod-node-role-amazonec2containerregistryreadonly",
		"aws:eks/nodeGroup:NodeGroup prod-gpu-nodes",
		"aws:ecr/repository:Repository prod-ranker-images",
		"aws:s3/bucketV2:BucketV2 prod-lakehouse-bucket",
		"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock prod-lakehouse-bucket-private",
		"aws:s3/bucketVersioningV2:BucketVersioningV2 prod-lakehouse-bucket-versioning",
		"kubernetes:helm.sh/v3:Release prod-gitops-engine",
		"kubernetes:argoproj.io/v1alpha1:Application prod-gitops-application",
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, m.custom()); diff != "" {
		t.Errorf("custom resources (-want +got):\n%s", diff)
	}
	parents := map[string]string{
		"aws:eks/cluster:Cluster prod-cluster":                                TypeEnvironment + " prod",
		"aws:ecr/repository:Repository prod-ranker-images":                    TypeService + " prod-ranker",
		"aws:s3/bucketV2:BucketV2 prod-lakehouse-bucket":                      TypeDataStore + " prod-lakehouse",
		"kubernetes:helm.sh/v3:Release prod-gitops-engine":                    TypeBootstrap + " prod-gitops",
		TypeTeamQuota + " prod-search":                                        TypeEnvironment + " prod",
		TypeGPUPool + " prod-gpu":                                             TypeEnvironment + " prod",
		"kubernetes:argoproj.io/v1alpha1:Application prod-gitops-application": TypeBootstrap + " prod-gitops",
	}
	for res, parent := range parents {
		typ, name, _ := strings.Cut(res, " ")
		r := m.find(typ, name)
		if r == nil {
			t.Errorf("%s not registered", res)
			continue
		}
		if r.Parent != parent {
			t.Errorf("%s: parent %q, want %q", res, r.Parent, parent)
		}
	}
	if b := m.find("aws:s3/bucketV2:BucketV2", "prod-lakehouse-bucket"); b.Inputs["bucket"].StringValue() != "acme-lake-prod" {
		t.Errorf("bucket = %v, want acme-lake-prod", b.Inputs["bucket"])
	}
	if r := m.find("aws:ecr/repository:Repository", "prod-ranker-images"); r.Inputs["name"].StringValue() != "search/ranker" ||
		r.Inputs["imageTagMutability"].StringValue() != "IMMUTABLE" {
		t.Errorf("repository inputs = %v", r.Inputs)
	}
	app := m.find("kubernetes:argoproj.io/v1alpha1:Application", "prod-gitops-application")
	if name := app.Inputs["metadata"].ObjectValue()["name"].StringValue(); name != "acme-prod-bootstrap" {
		t.Errorf("bootstrap Application %q, want acme-prod-bootstrap (the tree's Application is acme-prod)", name)
	}
	src := app.Inputs["spec"].ObjectValue()["source"].ObjectValue()
	// The bootstrap syncs the engine objects (AppProject with the sync
	// windows, the environment's Application), not the tree itself.
	if src["path"].StringValue() != "gitops/argocd/prod" || src["repoURL"].StringValue() != "https://git.example.com/acme/gitops.git" {
		t.Errorf("application source = %v", src)
	}
	if c := m.find("aws:eks/cluster:Cluster", "prod-cluster"); c.Inputs["version"].StringValue() != "1.34" || c.Inputs["name"].StringValue() != "acme-prod" {
		t.Errorf("cluster inputs = %v", c.Inputs)
	}
}

func TestComponentsOnly(t *testing.T) {
	for _, tt := range []struct {
		name     string
		provider string
		opts     Options
	}{
		{"existing cluster", "existing", Options{}},
		{"on-prem cluster", "on-prem", Options{}},
		{"aws with --components-only", "aws", Options{ComponentsOnly: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, env := testPlan(tt.provider, gpuPool("gpu", "h100", "NVIDIA H100 80GB HBM3", 8, 0))
			s := BuildStack(p, env)
			m, err := run(t, s, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if c := m.custom(); len(c) != 0 {
				t.Errorf("custom resources %v, want none", c)
			}
			var comps []string
			for _, r := range m.list {
				comps = append(comps, r.Type+" "+r.Name)
			}
			slices.Sort(comps)
			want := []string{
				TypeEnvironment + " prod", TypeGPUPool + " prod-gpu", TypeTeamQuota + " prod-search",
				TypeService + " prod-ranker", TypeDataStore + " prod-lakehouse", TypeBootstrap + " prod-gitops",
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, comps); diff != "" {
				t.Errorf("components (-want +got):\n%s", diff)
			}
			if len(s.Plugins(tt.opts)) != 0 {
				t.Errorf("plugins = %v, want none", s.Plugins(tt.opts))
			}
		})
	}
}

func TestEKSNeedsSubnets(t *testing.T) {
	p, env := testPlan("aws")
	env.Cluster.SubnetIDs = nil
	_, err := run(t, BuildStack(p, env), Options{})
	if err == nil || !strings.Contains(err.Error(), "cluster.subnetIds") {
		t.Fatalf("err = %v, want one naming cluster.subnetIds", err)
	}
}
