package pulumi

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	sdk "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/platc-dev/platc/compiler/plan"
)

// Component resource types: platc's own, carrying the declared figures.
const (
	TypeEnvironment = "platc:index:Environment"
	TypeGPUPool     = "platc:index:GpuPool"
	TypeTeamQuota   = "platc:index:TeamQuota"
	TypeService     = "platc:index:ServiceInfra"
	TypeDataStore   = "platc:index:DataStore"
	TypeBootstrap   = "platc:index:GitOpsBootstrap"
)

// Provider plugin versions the program's provider resources need; they
// are the versions of the SDKs platc is built with.
var ProviderPlugins = map[string]string{"aws": "6.83.4", "kubernetes": "4.33.0"}

// Options tune the program.
type Options struct {
	// ComponentsOnly leaves the provider resources out: the stack holds
	// platc's components and their outputs alone, as it does for existing
	// clusters. For machines without the provider plugins or credentials.
	ComponentsOnly bool
}

// Plugins returns the provider plugins the stack's program needs (name to
// version), none when it holds components only.
func (s *Stack) Plugins(o Options) map[string]string {
	if o.ComponentsOnly || s.Cloud != "aws" {
		return nil
	}
	return ProviderPlugins
}

type component struct {
	sdk.ResourceState
}

// Program returns the Pulumi program of the stack.
func Program(s *Stack, o Options) sdk.RunFunc {
	return func(ctx *sdk.Context) error {
		return (&builder{ctx: ctx, s: s, o: o}).build()
	}
}

type builder struct {
	ctx *sdk.Context
	s   *Stack
	o   Options
	env *component
	// cloud resources shared by the pools, set when the provider resources are built.
	aws      *aws.Provider
	cluster  *eks.Cluster
	nodeRole *iam.Role
	k8s      *kubernetes.Provider
}

// component registers a platc component with the declared figures as its
// inputs, so a changed figure shows as an update of that component alone.
func (b *builder) component(typ, name string, parent sdk.Resource, figures sdk.Map) (*component, error) {
	c := &component{}
	var opts []sdk.ResourceOption
	if parent != nil {
		opts = append(opts, sdk.Parent(parent))
	}
	if err := b.ctx.RegisterComponentResourceV2(typ, name, figures, c, opts...); err != nil {
		return nil, fmt.Errorf("register %s %s: %w", typ, name, err)
	}
	return c, nil
}

func (b *builder) build() error {
	s := b.s
	gpus := sdk.IntMap{}
	for m, n := range s.GPUTotals() {
		gpus[m] = sdk.Int(n)
	}
	figures := sdk.Map{
		"environment": sdk.String(s.Environment),
		"tier":        sdk.String(s.Tier),
		"owner":       sdk.String(s.Owner),
		"provider":    sdk.String(s.Cluster.Provider),
		"region":      sdk.String(s.Cluster.Region),
		"clusterName": sdk.String(s.Cluster.Name),
		"gpus":        gpus,
		"pools":       sdk.Int(len(s.Pools)),
		"teams":       sdk.Int(len(s.Teams)),
		"services":    sdk.Int(len(s.Services)),
	}
	env, err := b.component(TypeEnvironment, s.Environment, nil, figures)
	if err != nil {
		return err
	}
	b.env = env
	cloud := s.Cloud != "" && !b.o.ComponentsOnly
	if cloud {
		if err := b.buildCluster(); err != nil {
			return err
		}
	}
	for _, p := range s.Pools {
		if err := b.buildPool(p, cloud); err != nil {
			return err
		}
	}
	for _, t := range s.Teams {
		if err := b.buildTeam(t); err != nil {
			return err
		}
	}
	for _, svc := range s.Services {
		if err := b.buildService(svc, cloud); err != nil {
			return err
		}
	}
	for _, d := range s.DataStores {
		if err := b.buildDataStore(d, cloud); err != nil {
			return err
		}
	}
	if err := b.buildBootstrap(cloud); err != nil {
		return err
	}
	outputs := maps.Clone(figures)
	if b.cluster != nil {
		outputs["clusterEndpoint"] = b.cluster.Endpoint
		outputs["clusterArn"] = b.cluster.Arn
	}
	if err := b.ctx.RegisterResourceOutputs(env, outputs); err != nil {
		return err
	}
	for k, v := range outputs {
		b.ctx.Export(k, v)
	}
	return nil
}

// buildCluster makes the AWS provider for the region, the EKS cluster with
// its role and the role its node groups run as.
func (b *builder) buildCluster() error {
	s, ctx := b.s, b.ctx
	if len(s.Cluster.SubnetIDs) < 2 {
		return fmt.Errorf("environment %s: an EKS cluster needs at least two subnets in different availability zones: set environments.%s.cluster.subnetIds (or apply with --components-only)", s.Environment, s.Environment)
	}
	var err error
	b.aws, err = aws.NewProvider(ctx, s.ResourceName("aws"), &aws.ProviderArgs{
		Region:      sdk.String(s.Cluster.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: sdk.StringMap{"platc.dev/platform": sdk.String(s.Platform), "platc.dev/environment": sdk.String(s.Environment)}},
	}, sdk.Parent(b.env))
	if err != nil {
		return err
	}
	in := []sdk.ResourceOption{sdk.Parent(b.env), sdk.Provider(b.aws)}
	clusterRole, err := iam.NewRole(ctx, s.ResourceName("cluster-role"), &iam.RoleArgs{
		AssumeRolePolicy: sdk.String(assumeRolePolicy("eks.amazonaws.com")),
	}, in...)
	if err != nil {
		return err
	}
	if _, err := iam.NewRolePolicyAttachment(ctx, s.ResourceName("cluster-role", "eks"), &iam.RolePolicyAttachmentArgs{
		Role: clusterRole.Name, PolicyArn: sdk.String("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"),
	}, in...); err != nil {
		return err
	}
	b.cluster, err = eks.NewCluster(ctx, s.ResourceName("cluster"), &eks.ClusterArgs{
		Name:    sdk.String(s.Cluster.Name),
		RoleArn: clusterRole.Arn,
		Version: sdk.String(s.Cluster.KubernetesVersion),
		VpcConfig: &eks.ClusterVpcConfigArgs{
			SubnetIds: sdk.ToStringArray(s.Cluster.SubnetIDs),
		},
		AccessConfig: &eks.ClusterAccessConfigArgs{AuthenticationMode: sdk.String("API")},
	}, in...)
	if err != nil {
		return err
	}
	b.nodeRole, err = iam.NewRole(ctx, s.ResourceName("node-role"), &iam.RoleArgs{
		AssumeRolePolicy: sdk.String(assumeRolePolicy("ec2.amazonaws.com")),
	}, in...)
	if err != nil {
		return err
	}
	for _, policy := range []string{"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"} {
		if _, err := iam.NewRolePolicyAttachment(ctx, s.ResourceName("node-role", strings.ToLower(strings.ReplaceAll(policy, "_", "-"))), &iam.RolePolicyAttachmentArgs{
			Role: b.nodeRole.Name, PolicyArn: sdk.String("arn:aws:iam::aws:policy/" + policy),
		}, in...); err != nil {
			return err
		}
	}
	b.k8s, err = kubernetes.NewProvider(ctx, s.ResourceName("k8s"), &kubernetes.ProviderArgs{
		Kubeconfig: kubeconfig(b.cluster, s.Cluster.Region),
	}, sdk.Parent(b.env))
	return err
}

func assumeRolePolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
}

// kubeconfig is a kubeconfig for the EKS cluster that gets its token from
// the AWS CLI, as `aws eks update-kubeconfig` writes it.
func kubeconfig(c *eks.Cluster, region string) sdk.StringOutput {
	return sdk.All(c.Name, c.Endpoint, c.CertificateAuthority.Data()).ApplyT(func(v []any) string {
		name, endpoint := v[0].(string), v[1].(string)
		ca := ""
		if p, ok := v[2].(*string); ok && p != nil {
			ca = *p
		}
		return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s
    certificate-authority-data: %[3]s
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[1]s
current-context: %[1]s
users:
- name: %[1]s
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: ["eks", "get-token", "--cluster-name", "%[1]s", "--region", "%[4]s"]
`, name, endpoint, ca, region)
	}).(sdk.StringOutput)
}

func (b *builder) buildPool(p *Pool, cloud bool) error {
	s, ctx := b.s, b.ctx
	gpus := sdk.Map{}
	for _, g := range p.GPUs {
		gpus[g.Model] = sdk.Map{"count": sdk.Int(g.Count), "burst": sdk.Int(g.Burst), "product": sdk.String(g.Product)}
	}
	outputs := sdk.Map{
		"pool":         sdk.String(p.Name),
		"cpuMilli":     sdk.Int(int(p.CPUMilli)),
		"memoryBytes":  sdk.Float64(float64(p.MemoryBytes)),
		"gpus":         gpus,
		"minNodes":     sdk.Int(p.MinNodes),
		"maxNodes":     sdk.Int(p.MaxNodes),
		"spot":         sdk.Bool(p.Spot),
		"instanceType": sdk.String(p.InstanceType),
	}
	c, err := b.component(TypeGPUPool, s.ResourceName(p.Name), b.env, outputs)
	if err != nil {
		return err
	}
	outputs = maps.Clone(outputs)
	if cloud {
		capacity := "ON_DEMAND"
		if p.Spot {
			capacity = "SPOT"
		}
		var taints eks.NodeGroupTaintArray
		for _, t := range p.Taints {
			taints = append(taints, &eks.NodeGroupTaintArgs{Key: sdk.String(t.Key), Value: sdk.String(t.Value), Effect: sdk.String(t.Effect)})
		}
		ng, err := eks.NewNodeGroup(ctx, s.ResourceName(p.Name, "nodes"), &eks.NodeGroupArgs{
			ClusterName:   b.cluster.Name,
			NodeGroupName: sdk.String(p.Name),
			NodeRoleArn:   b.nodeRole.Arn,
			SubnetIds:     sdk.ToStringArray(s.Cluster.SubnetIDs),
			InstanceTypes: sdk.StringArray{sdk.String(p.InstanceType)},
			AmiType:       sdk.String(p.AMIType),
			CapacityType:  sdk.String(capacity),
			ScalingConfig: &eks.NodeGroupScalingConfigArgs{
				MinSize: sdk.Int(p.MinNodes), MaxSize: sdk.Int(p.MaxNodes), DesiredSize: sdk.Int(p.DesiredNodes),
			},
			Labels: sdk.ToStringMap(p.Labels),
			Taints: taints,
		}, sdk.Parent(c), sdk.Provider(b.aws),
			// The cluster autoscaler moves the desired size; platc owns the range.
			sdk.IgnoreChanges([]string{"scalingConfig.desiredSize"}))
		if err != nil {
			return err
		}
		outputs["nodeGroupArn"] = ng.Arn
	}
	return ctx.RegisterResourceOutputs(c, outputs)
}

func (b *builder) buildTeam(t *Team) error {
	gpus := sdk.Map{}
	for _, g := range t.GPUs {
		gpus[g.Model] = sdk.Map{"reserved": sdk.Int(g.Reserved), "borrowing": sdk.Int(g.Borrowing)}
	}
	figures := sdk.Map{
		"team":        sdk.String(t.Name),
		"namespace":   sdk.String(t.Namespace),
		"cpuMilli":    sdk.Int(int(t.CPUMilli)),
		"memoryBytes": sdk.Float64(float64(t.MemoryBytes)),
		"gpus":        gpus,
	}
	c, err := b.component(TypeTeamQuota, b.s.ResourceName(t.Name), b.env, figures)
	if err != nil {
		return err
	}
	return b.ctx.RegisterResourceOutputs(c, figures)
}

func (b *builder) buildService(svc *Service, cloud bool) error {
	outputs := sdk.Map{
		"service":  sdk.String(svc.Name),
		"team":     sdk.String(svc.Team),
		"image":    sdk.String(svc.Image),
		"replicas": sdk.Int(svc.Replicas),
		"gpus":     sdk.Int(svc.GPUs),
	}
	c, err := b.component(TypeService, b.s.ResourceName(svc.Name), b.env, outputs)
	if err != nil {
		return err
	}
	outputs = maps.Clone(outputs)
	if cloud && svc.Repository != "" {
		repo, err := ecr.NewRepository(b.ctx, b.s.ResourceName(svc.Name, "images"), &ecr.RepositoryArgs{
			Name:               sdk.String(svc.Repository),
			ImageTagMutability: sdk.String("IMMUTABLE"),
			ImageScanningConfiguration: &ecr.RepositoryImageScanningConfigurationArgs{
				ScanOnPush: sdk.Bool(true),
			},
			Tags: sdk.StringMap{"platc.dev/team": sdk.String(svc.Team)},
		}, sdk.Parent(c), sdk.Provider(b.aws))
		if err != nil {
			return err
		}
		outputs["repositoryUrl"] = repo.RepositoryUrl
	}
	return b.ctx.RegisterResourceOutputs(c, outputs)
}

func (b *builder) buildDataStore(d *DataStore, cloud bool) error {
	outputs := sdk.Map{
		"storage":          sdk.String(d.Storage),
		"bucket":           sdk.String(d.Bucket),
		"format":           sdk.String(d.Format),
		"owner":            sdk.String(d.Owner),
		"retentionSeconds": sdk.Float64(d.RetentionSeconds),
	}
	c, err := b.component(TypeDataStore, b.s.ResourceName(d.Name), b.env, outputs)
	if err != nil {
		return err
	}
	outputs = maps.Clone(outputs)
	if cloud && d.Storage == "s3" {
		in := []sdk.ResourceOption{sdk.Parent(c), sdk.Provider(b.aws)}
		bucket, err := s3.NewBucketV2(b.ctx, b.s.ResourceName(d.Name, "bucket"), &s3.BucketV2Args{
			Bucket: sdk.String(d.Bucket),
			Tags:   sdk.StringMap{"platc.dev/owner": sdk.String(d.Owner), "platc.dev/format": sdk.String(d.Format)},
		}, in...)
		if err != nil {
			return err
		}
		if _, err := s3.NewBucketPublicAccessBlock(b.ctx, b.s.ResourceName(d.Name, "bucket-private"), &s3.BucketPublicAccessBlockArgs{
			Bucket: bucket.ID(), BlockPublicAcls: sdk.Bool(true), BlockPublicPolicy: sdk.Bool(true),
			IgnorePublicAcls: sdk.Bool(true), RestrictPublicBuckets: sdk.Bool(true),
		}, in...); err != nil {
			return err
		}
		if _, err := s3.NewBucketVersioningV2(b.ctx, b.s.ResourceName(d.Name, "bucket-versioning"), &s3.BucketVersioningV2Args{
			Bucket:                  bucket.ID(),
			VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: sdk.String("Enabled")},
		}, in...); err != nil {
			return err
		}
		outputs["bucketArn"] = bucket.Arn
	}
	return b.ctx.RegisterResourceOutputs(c, outputs)
}

// Helm charts the bootstrap installs the GitOps engine from.
var engineCharts = map[string]struct{ Chart, Version, Repo string }{
	"argocd": {"argo-cd", "9.1.4", "https://argoproj.github.io/argo-helm"},
	"flux":   {"flux2", "2.17.1", "https://fluxcd-community.github.io/helm-charts"},
}

// buildBootstrap installs the GitOps engine and points it at the
// environment's directory of the rendered tree.
func (b *builder) buildBootstrap(cloud bool) error {
	s, bs := b.s, b.s.Bootstrap
	outputs := sdk.Map{
		"engine":    sdk.String(bs.Engine),
		"namespace": sdk.String(bs.Namespace),
		"repo":      sdk.String(bs.Repo),
		"branch":    sdk.String(bs.Branch),
		"path":      sdk.String(bs.Path),
	}
	c, err := b.component(TypeBootstrap, s.ResourceName("gitops"), b.env, outputs)
	if err != nil {
		return err
	}
	if cloud {
		if bs.Repo == "" {
			return fmt.Errorf("environment %s: platform.gitops.repo is empty: the GitOps engine needs the repository to sync from", s.Environment)
		}
		chart, ok := engineCharts[bs.Engine]
		if !ok {
			return fmt.Errorf("environment %s: no bootstrap for GitOps engine %q", s.Environment, bs.Engine)
		}
		in := []sdk.ResourceOption{sdk.Parent(c), sdk.Provider(b.k8s)}
		rel, err := helmv3.NewRelease(b.ctx, s.ResourceName("gitops", "engine"), &helmv3.ReleaseArgs{
			Name: sdk.String(chart.Chart), Chart: sdk.String(chart.Chart), Version: sdk.String(chart.Version),
			Namespace: sdk.String(bs.Namespace), CreateNamespace: sdk.Bool(true),
			RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: sdk.String(chart.Repo)},
		}, in...)
		if err != nil {
			return err
		}
		after := append(slices.Clone(in), sdk.DependsOn([]sdk.Resource{rel}))
		name := plan.BootstrapName(s.Platform, s.Environment)
		meta := &metav1.ObjectMetaArgs{Name: sdk.String(name), Namespace: sdk.String(bs.Namespace)}
		switch bs.Engine {
		case "argocd":
			_, err = apiextensions.NewCustomResource(b.ctx, s.ResourceName("gitops", "application"), &apiextensions.CustomResourceArgs{
				ApiVersion: sdk.String("argoproj.io/v1alpha1"), Kind: sdk.String("Application"), Metadata: meta,
				OtherFields: kubernetes.UntypedArgs{"spec": sdk.Map{
					"project": sdk.String("default"),
					"source": sdk.Map{
						"repoURL": sdk.String(bs.Repo), "targetRevision": sdk.String(bs.Branch), "path": sdk.String(bs.Path),
					},
					"destination": sdk.Map{"server": sdk.String(plan.InClusterServer)},
					"syncPolicy":  sdk.Map{"automated": sdk.Map{"prune": sdk.Bool(true), "selfHeal": sdk.Bool(true)}},
				}},
			}, after...)
		case "flux":
			var src sdk.Resource
			src, err = apiextensions.NewCustomResource(b.ctx, s.ResourceName("gitops", "source"), &apiextensions.CustomResourceArgs{
				ApiVersion: sdk.String("source.toolkit.fluxcd.io/v1"), Kind: sdk.String("GitRepository"), Metadata: meta,
				OtherFields: kubernetes.UntypedArgs{"spec": sdk.Map{
					"url": sdk.String(bs.Repo), "interval": sdk.String("1m"), "ref": sdk.Map{"branch": sdk.String(bs.Branch)},
				}},
			}, after...)
			if err == nil {
				_, err = apiextensions.NewCustomResource(b.ctx, s.ResourceName("gitops", "kustomization"), &apiextensions.CustomResourceArgs{
					ApiVersion: sdk.String("kustomize.toolkit.fluxcd.io/v1"), Kind: sdk.String("Kustomization"), Metadata: meta,
					OtherFields: kubernetes.UntypedArgs{"spec": sdk.Map{
						"interval": sdk.String("5m"), "path": sdk.String("./" + bs.Path), "prune": sdk.Bool(true),
						"sourceRef": sdk.Map{"kind": sdk.String("GitRepository"), "name": sdk.String(name)},
					}},
				}, append(after, sdk.DependsOn([]sdk.Resource{src}))...)
			}
		}
		if err != nil {
			return err
		}
	}
	return b.ctx.RegisterResourceOutputs(c, outputs)
}
