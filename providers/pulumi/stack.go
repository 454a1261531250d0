// Package pulumi is platc's Pulumi program: one stack per environment,
// built from the environment's part of the plan. Every stack holds platc
// component resources (the environment, its GPU pools, team quotas, service
// infrastructure and data stores) whose outputs carry the declared figures;
// where the environment names a cloud platc provisions (AWS), the provider
// resources that realise them sit under those components: the EKS cluster,
// a managed node group per pool, S3 buckets for the lakehouse, ECR
// repositories for the services' images, and the Kubernetes bootstrap that
// points the GitOps engine at the rendered tree.
//
// The stack's desired state is the Stack value: render writes it as the
// stack's plan file, and the program reads nothing else.
package pulumi

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/plan"
)

// StackAPIVersion is the version of the stack plan file.
const StackAPIVersion = "platc.dev/stack/v1"

// Stack is the desired state of one environment's stack.
type Stack struct {
	APIVersion  string `json:"apiVersion"`
	Project     string `json:"project"`
	Name        string `json:"stack"`
	Platform    string `json:"platform"`
	Environment string `json:"environment"`
	Tier        string `json:"tier"`
	Owner       string `json:"owner"`
	// Cloud is the provider platc provisions with ("aws"), or "" when the
	// stack holds components and outputs only (existing and on-prem
	// clusters, and clouds platc does not provision yet).
	Cloud   string       `json:"cloud,omitempty"`
	Cluster plan.Cluster `json:"cluster"`
	Pools   []*Pool      `json:"pools"`
	Teams   []*Team      `json:"teams"`
	// Services are the services placed in the environment.
	Services   []*Service   `json:"services"`
	DataStores []*DataStore `json:"dataStores"`
	Bootstrap  Bootstrap    `json:"bootstrap"`
}

// Pool is a node pool and, on a cloud, its managed node group.
type Pool struct {
	Name         string `json:"name"`
	CPUMilli     int64  `json:"cpuMilli"`
	MemoryBytes  int64  `json:"memoryBytes"`
	InstanceType string `json:"instanceType,omitempty"`
	// MinNodes..MaxNodes is the node group's scaling range; MaxNodes
	// includes the burst the spec allows.
	MinNodes     int                `json:"minNodes"`
	MaxNodes     int                `json:"maxNodes"`
	DesiredNodes int                `json:"desiredNodes"`
	Spot         bool               `json:"spot"`
	GPUs         []*PoolGPU         `json:"gpus"`
	Labels       map[string]string  `json:"labels"`
	Taints       []Taint            `json:"taints"`
	AMIType      string             `json:"amiType,omitempty"`
	Declared     DeclaredPoolFigure `json:"declared"`
}

// DeclaredPoolFigure is what the spec said of the pool's nodes.
type DeclaredPoolFigure struct {
	MinNodes   int `json:"minNodes"`
	MaxNodes   int `json:"maxNodes"`
	BurstNodes int `json:"burstNodes"`
}

// PoolGPU is the GPUs of one model in a pool.
type PoolGPU struct {
	Model   string `json:"model"`
	Product string `json:"product"`
	Count   int    `json:"count"`
	Burst   int    `json:"burst"`
}

// Taint is a node taint.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Effect string `json:"effect"`
}

// Team is a team's quota in the environment.
type Team struct {
	Name        string     `json:"name"`
	Namespace   string     `json:"namespace"`
	CPUMilli    int64      `json:"cpuMilli"`
	MemoryBytes int64      `json:"memoryBytes"`
	GPUs        []*TeamGPU `json:"gpus"`
}

// TeamGPU is a team's GPU quota of one model.
type TeamGPU struct {
	Model     string `json:"model"`
	Reserved  int    `json:"reserved"`
	Borrowing int    `json:"borrowing"`
}

// Service is a service's infrastructure: its image repository.
type Service struct {
	Name     string `json:"name"`
	Team     string `json:"team"`
	Image    string `json:"image"`
	Replicas int    `json:"replicas"`
	// Repository is the image repository platc keeps for it on the cloud.
	Repository string `json:"repository,omitempty"`
	GPUs       int    `json:"gpus"`
}

// DataStore is the environment's lakehouse storage.
type DataStore struct {
	Name             string  `json:"name"`
	Storage          string  `json:"storage"`
	Bucket           string  `json:"bucket"`
	Format           string  `json:"format"`
	Owner            string  `json:"owner"`
	RetentionSeconds float64 `json:"retentionSeconds,omitempty"`
}

// Bootstrap points the GitOps engine at the rendered tree.
type Bootstrap struct {
	Engine    string `json:"engine"`
	Namespace string `json:"namespace"`
	Repo      string `json:"repo,omitempty"`
	Branch    string `json:"branch"`
	// Path is the directory of the engine objects that sync the
	// environment (plan.GitOps.EngineDir).
	Path string `json:"path"`
}

// Stacks builds every environment's stack from the plan, in the plan's
// environment order.
func Stacks(p *plan.Plan) []*Stack {
	out := make([]*Stack, 0, len(p.Environments))
	for _, env := range p.Environments {
		out = append(out, BuildStack(p, env))
	}
	return out
}

// Find returns the stack of the environment, or nil.
func Find(stacks []*Stack, env string) *Stack {
	for _, s := range stacks {
		if s.Environment == env {
			return s
		}
	}
	return nil
}

// BuildStack builds one environment's stack.
func BuildStack(p *plan.Plan, env *plan.Environment) *Stack {
	s := &Stack{
		APIVersion: StackAPIVersion, Project: p.Platform.Pulumi.Project, Name: env.Name,
		Platform: p.Platform.Name, Environment: env.Name, Tier: env.Tier, Owner: env.Owner,
		Cluster: env.Cluster, Pools: []*Pool{}, Teams: []*Team{}, Services: []*Service{}, DataStores: []*DataStore{},
	}
	if env.Cluster.Provider == "aws" {
		s.Cloud = "aws"
	}
	for _, pl := range env.Pools {
		s.Pools = append(s.Pools, buildPool(s.Cloud, pl))
	}
	for _, ns := range env.Namespaces {
		t := &Team{Name: ns.Team, Namespace: ns.Name, CPUMilli: ns.Quota.CPUMilli, MemoryBytes: ns.Quota.MemoryBytes, GPUs: []*TeamGPU{}}
		if ns.Queue != nil {
			for _, g := range ns.Queue.GPUs {
				t.GPUs = append(t.GPUs, &TeamGPU{Model: g.Model, Reserved: g.Nominal, Borrowing: g.BorrowingLimit})
			}
		}
		s.Teams = append(s.Teams, t)
		for _, w := range ns.Workloads {
			if w.Service == "" {
				continue // a pipeline's CronJob: its image is the data team's to publish
			}
			svc := &Service{Name: w.Service, Team: w.Team, Image: w.Image, Replicas: w.Replicas}
			if w.GPU != nil {
				svc.GPUs = w.GPU.Count
			}
			if s.Cloud == "aws" {
				svc.Repository = w.Team + "/" + w.Service
			}
			s.Services = append(s.Services, svc)
		}
	}
	slices.SortFunc(s.Services, func(a, b *Service) int { return strings.Compare(a.Name, b.Name) })
	if l := p.Platform.Lakehouse; l != nil {
		s.DataStores = append(s.DataStores, &DataStore{
			Name: "lakehouse", Storage: l.Storage, Bucket: l.Bucket + "-" + env.Name,
			Format: l.Format, Owner: l.Owner, RetentionSeconds: l.RetentionSeconds,
		})
	}
	g := p.Platform.GitOps
	s.Bootstrap = Bootstrap{
		Engine: g.Engine, Namespace: g.Namespace, Repo: g.Repo, Branch: g.Branch,
		Path: g.EngineDir(env.Name),
	}
	return s
}

// gpuInstance is the AWS instance type platc picks for pools of a GPU
// model that name none, and how many GPUs one instance has.
type gpuInstance struct {
	Type string
	GPUs int
}

var gpuInstances = map[string]gpuInstance{
	"h100":      {"p5.48xlarge", 8},
	"h200":      {"p5e.48xlarge", 8},
	"b200":      {"p6-b200.48xlarge", 8},
	"a100":      {"p4d.24xlarge", 8},
	"a100-80gb": {"p4de.24xlarge", 8},
	"v100":      {"p3.16xlarge", 8},
	"l40s":      {"g6e.12xlarge", 4},
	"l4":        {"g6.12xlarge", 4},
	"a10g":      {"g5.12xlarge", 4},
	"t4":        {"g4dn.12xlarge", 4},
}

// GPUsPerInstance returns how many GPUs an instance type has, from the
// table of the types platc picks (0 when it is not one of them).
func GPUsPerInstance(instanceType string) int {
	for _, gi := range gpuInstances {
		if gi.Type == instanceType {
			return gi.GPUs
		}
	}
	return 0
}

// general purpose nodes: 16 cores, 64 GiB.
const (
	generalInstance = "m7i.4xlarge"
	generalCores    = 16
)

func buildPool(cloud string, pl *plan.Pool) *Pool {
	p := &Pool{
		Name: pl.Name, CPUMilli: pl.CPUMilli, MemoryBytes: pl.MemoryBytes, InstanceType: pl.InstanceType,
		Spot: pl.Spot, GPUs: []*PoolGPU{}, Taints: []Taint{},
		Labels:   map[string]string{"platc.dev/pool": pl.Name},
		Declared: DeclaredPoolFigure{MinNodes: pl.MinNodes, MaxNodes: pl.MaxNodes, BurstNodes: pl.BurstNodes},
	}
	gpus, burst := 0, 0
	for _, g := range pl.GPUs {
		p.GPUs = append(p.GPUs, &PoolGPU{Model: g.Model, Product: g.Product, Count: g.Count, Burst: g.Burst})
		gpus += g.Count
		burst += g.Burst
	}
	if len(p.GPUs) > 0 {
		// GPU nodes carry the labels GPU Feature Discovery gives them, so
		// the Kueue flavors select them before the operator runs, and a
		// taint that keeps other pods off.
		g := p.GPUs[0]
		p.Labels[model.GPUProductLabel] = model.ProductLabel(g.Product)
		p.Taints = append(p.Taints, Taint{Key: "nvidia.com/gpu", Value: "present", Effect: "NO_SCHEDULE"})
	}
	if cloud == "" {
		p.MinNodes, p.MaxNodes, p.DesiredNodes = pl.MinNodes, pl.MaxNodes+pl.BurstNodes, pl.MinNodes
		return p
	}
	// On a cloud every pool becomes a node group: pick the instance type
	// when the spec names none, and size the group from the GPUs (or the
	// cores) when it gives no node range.
	perNode := 0
	if p.InstanceType == "" {
		if len(p.GPUs) > 0 {
			if gi, ok := gpuInstances[p.GPUs[0].Model]; ok {
				p.InstanceType, perNode = gi.Type, gi.GPUs
			}
		}
		if p.InstanceType == "" {
			p.InstanceType = generalInstance
		}
	} else if len(p.GPUs) > 0 {
		perNode = GPUsPerInstance(p.InstanceType)
	}
	p.AMIType = "AL2023_x86_64_STANDARD"
	if len(p.GPUs) > 0 {
		p.AMIType = "AL2023_x86_64_NVIDIA"
	}
	switch {
	case pl.MaxNodes > 0 || pl.MinNodes > 0:
		p.MinNodes, p.MaxNodes = pl.MinNodes, pl.MaxNodes+pl.BurstNodes
	case perNode > 0:
		p.MinNodes = ceilDiv(gpus, perNode)
		p.MaxNodes = ceilDiv(gpus+burst, perNode)
	default:
		cores := int(pl.CPUMilli / 1000)
		p.MinNodes = max(1, ceilDiv(cores, generalCores))
		p.MaxNodes = p.MinNodes
	}
	// EKS refuses a group whose maximum is below one.
	p.MaxNodes = max(p.MaxNodes, p.MinNodes, 1)
	p.DesiredNodes = p.MinNodes
	return p
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// GPUTotals sums the GPUs of the stack's pools by model.
func (s *Stack) GPUTotals() map[string]int {
	out := map[string]int{}
	for _, p := range s.Pools {
		for _, g := range p.GPUs {
			out[g.Model] += g.Count
		}
	}
	return out
}

// ResourceName is the logical name of a resource of the stack: names are
// prefixed with the environment so they are unique across stacks too.
func (s *Stack) ResourceName(parts ...string) string {
	return strings.Join(append([]string{s.Environment}, parts...), "-")
}

// Describe is a one-line summary of what the stack holds.
func (s *Stack) Describe() string {
	totals := s.GPUTotals()
	var gpus []string
	for _, m := range slices.Sorted(maps.Keys(totals)) {
		gpus = append(gpus, fmt.Sprintf("%d %s", totals[m], m))
	}
	return fmt.Sprintf("%s/%s: %s, %d pools (%s GPUs), %d team quotas, %d services, %d data stores",
		s.Project, s.Name, cmp.Or(s.Cloud, s.Cluster.Provider), len(s.Pools), cmp.Or(strings.Join(gpus, ", "), "no"),
		len(s.Teams), len(s.Services), len(s.DataStores))
}
