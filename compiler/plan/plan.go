// Package plan is the versioned intermediate form between a checked spec
// and the files platc writes: everything to emit, per environment, with
// every default resolved, every name chosen and every list in a stable
// order. Emitters (the GitOps tree, Pulumi stacks, the catalog) read only
// the plan; the same spec always gives the same plan, byte for byte, in
// its JSON form (`platc render -o json`).
package plan

import (
	"path"
	"time"
)

// APIVersion is the version of the plan's JSON form.
const APIVersion = "platc.dev/plan/v1"

// Plan is everything platc emits for a spec.
type Plan struct {
	APIVersion   string         `json:"apiVersion"`
	Platform     Platform       `json:"platform"`
	Environments []*Environment `json:"environments"`
	Teams        []*Team        `json:"teams"`
	Catalog      Catalog        `json:"catalog"`
}

// Platform is what every environment shares.
type Platform struct {
	Name          string  `json:"name"`
	Owner         string  `json:"owner"`
	GitOps        GitOps  `json:"gitops"`
	Gateway       Gateway `json:"gateway"`
	Observability Metrics `json:"observability"`
	KPIs          KPIs    `json:"kpis"`
	Registry      string  `json:"registry,omitempty"`
	// EgressImage is the egress guards' Envoy image.
	EgressImage string   `json:"egressImage"`
	Verify      []string `json:"verifyTiers"`
	// Admission is how the environments of the Verify tiers verify image
	// signatures at admission; nil when platc cannot render it (see
	// AdmissionFor).
	Admission *Admission `json:"admission,omitempty"`
	// Secrets is the External Secrets Operator store secretRefs are read from.
	Secrets Secrets `json:"secrets"`
	// Alerting is how alerts reach people; nil when the spec names no
	// Slack webhook.
	Alerting *Alerting `json:"alerting,omitempty"`
	Pulumi   Pulumi    `json:"pulumi"`
	// Lakehouse is the shared lakehouse; each environment gets its own bucket.
	Lakehouse *Lakehouse `json:"lakehouse,omitempty"`
}

// Pulumi is where the environments' stacks live.
type Pulumi struct {
	// Project is the Pulumi project; stacks are Project/<env>.
	Project string `json:"project"`
	// Backend is the state backend URL; empty means the local default.
	Backend         string `json:"backend,omitempty"`
	SecretsProvider string `json:"secretsProvider"`
}

// Admission is an image-signature admission policy.
type Admission struct {
	// Engine is kyverno or sigstore-policy-controller.
	Engine string `json:"engine"`
	// Tool is the signer: cosign or notation.
	Tool string `json:"tool"`
	// Images is the glob of the images verified: the registry's, or all.
	Images string `json:"images"`
	// Issuer and Subject (a regular expression) are the keyless signer's
	// identity; empty with a key.
	Issuer  string `json:"issuer,omitempty"`
	Subject string `json:"subject,omitempty"`
	// KeyData is a PEM public key or certificate; KeyKMS a KMS URI.
	KeyData string `json:"keyData,omitempty"`
	KeyKMS  string `json:"keyKMS,omitempty"`
}

// Alerting routes alerts to Slack.
type Alerting struct {
	// SlackWebhookRef is the key of the Slack incoming-webhook URL in the
	// secret store; Secret the Secret it is synced to in each namespace
	// that routes alerts.
	SlackWebhookRef string `json:"slackWebhookRef"`
	Secret          string `json:"secret"`
	// Owner is where the platform's own (KPI) alerts go: the owner team's.
	Owner *Alerts `json:"owner,omitempty"`
}

// Alerts is where one team's alerts go.
type Alerts struct {
	Team    string `json:"team"`
	Channel string `json:"channel"`
	OnCall  string `json:"onCall"`
}

// Secrets is where the credentials integrations name are read from.
type Secrets struct {
	Store          string  `json:"store"`
	StoreKind      string  `json:"storeKind"`
	RefreshSeconds float64 `json:"refreshSeconds"`
}

// Lakehouse is the lakehouse's storage.
type Lakehouse struct {
	Format           string  `json:"format"`
	Storage          string  `json:"storage"`
	Bucket           string  `json:"bucket"`
	Engine           string  `json:"engine"`
	Owner            string  `json:"owner"`
	RetentionSeconds float64 `json:"retentionSeconds,omitempty"`
}

// GitOps says which engine syncs the tree from where.
type GitOps struct {
	Engine    string `json:"engine"`
	Repo      string `json:"repo"`
	Branch    string `json:"branch"`
	Path      string `json:"path"`
	Namespace string `json:"namespace"`
	// KubectlImage runs Flux's freeze Jobs.
	KubectlImage string `json:"kubectlImage,omitempty"`
}

// The layout of the GitOps repository, which render and apply write and
// every engine object and bootstrap points into: Path/<env>/ is an
// environment's kustomize tree and Path/<engine>/<env>/ the engine objects
// that sync it, which the environment's bootstrap syncs.

// EnvDir is environment env's directory.
func (g GitOps) EnvDir(env string) string { return path.Join(g.Path, env) }

// EngineDir is the directory of the engine objects that sync environment
// env.
func (g GitOps) EngineDir(env string) string { return path.Join(g.Path, g.Engine, env) }

// BootstrapName names the Application or Kustomization an environment's
// stack creates to sync its EngineDir, apart from the objects it syncs.
func BootstrapName(platform, env string) string { return platform + "-" + env + "-bootstrap" }

// InClusterServer is how Argo CD names the cluster it runs in. Each
// environment's stack installs the engine into that environment's cluster,
// so the engine syncs where it runs.
const InClusterServer = "https://kubernetes.default.svc"

// Gateway is the Gateway API gateway routes attach to.
type Gateway struct {
	Implementation string   `json:"implementation"`
	Name           string   `json:"name"`
	Namespace      string   `json:"namespace"`
	Hostnames      []string `json:"hostnames"`
}

// Metrics names the observability stack.
type Metrics struct {
	Metrics string `json:"metrics"`
	Logs    string `json:"logs"`
	Traces  string `json:"traces"`
	// PrometheusServer is where in-cluster consumers query Prometheus.
	PrometheusServer string `json:"prometheusServer"`
}

// KPIs are the five targets, normalised.
type KPIs struct {
	LeadTimeSeconds      float64 `json:"leadTimeSeconds"`
	Availability         float64 `json:"availability"`
	GPUUtilisation       float64 `json:"gpuUtilisation"`
	MTTRSeconds          float64 `json:"mttrSeconds"`
	PipelineObjective    float64 `json:"pipelineObjective"`
	LatencyTargetSeconds float64 `json:"latencyTargetSeconds"`
	// Series names the Prometheus series that measure the five KPIs.
	Series KPISeries `json:"series"`
}

// KPISeries names the Prometheus series of the five KPIs: the recording
// rules the GitOps tree renders and alerts on, which the docs query.
type KPISeries struct {
	LeadTime              string `json:"leadTime"`
	Availability          string `json:"availability"`
	GPUUtilisation        string `json:"gpuUtilisation"`
	MTTR                  string `json:"mttr"`
	PipelinesWithinTarget string `json:"pipelinesWithinTarget"`
}

// KPISeriesNames are the series every plan names.
var KPISeriesNames = KPISeries{
	LeadTime:              "platc:kpi_lead_time:seconds",
	Availability:          "platc:kpi_availability:ratio",
	GPUUtilisation:        "platc:kpi_gpu_utilisation:ratio",
	MTTR:                  "platc:kpi_mttr:seconds",
	PipelinesWithinTarget: "platc:kpi_pipelines_within_target:ratio",
}

// All returns the series in the order of the KPIs: delivery, reliability,
// cost, resilience, data.
func (s KPISeries) All() []string {
	return []string{s.LeadTime, s.Availability, s.GPUUtilisation, s.MTTR, s.PipelinesWithinTarget}
}

// Environment is one cluster's part of the plan.
type Environment struct {
	Name    string  `json:"name"`
	Tier    string  `json:"tier"`
	Owner   string  `json:"owner"`
	Cohort  string  `json:"cohort"`
	Cluster Cluster `json:"cluster"`
	// Pools are the node pools, by name.
	Pools []*Pool `json:"pools"`
	// Flavors are the Kueue resource flavors: one per GPU model in the
	// pools, or per discovered product of a model found as several.
	Flavors []*Flavor `json:"flavors"`
	// PriorityClasses are the priority tiers teams use here.
	PriorityClasses []*PriorityClass `json:"priorityClasses"`
	// Namespaces are the teams present here (with a quota or a workload).
	Namespaces []*Namespace `json:"namespaces"`
	// SyncWindows come from the change calendar and freezes.
	SyncWindows []*SyncWindow `json:"syncWindows"`
	Pipelines   []*Pipeline   `json:"pipelines"`
	Models      []*ModelWatch `json:"models"`
	// VerifyImages is true when the environment's tier is one the
	// platform verifies image signatures in and Platform.Admission says how.
	VerifyImages bool    `json:"verifyImages,omitempty"`
	Bandwidth    float64 `json:"bandwidthBitsPerSecond,omitempty"`
}

// Cluster is where the environment runs.
type Cluster struct {
	Name              string `json:"name"`
	Provider          string `json:"provider"`
	Region            string `json:"region,omitempty"`
	KubernetesVersion string `json:"kubernetesVersion"`
	Mesh              string `json:"mesh"`
	// KubeContext names an existing cluster's context.
	KubeContext string   `json:"kubeContext,omitempty"`
	SubnetIDs   []string `json:"subnetIds"`
}

// Pool is a node pool.
type Pool struct {
	Name         string      `json:"name"`
	CPUMilli     int64       `json:"cpuMilli"`
	MemoryBytes  int64       `json:"memoryBytes"`
	InstanceType string      `json:"instanceType,omitempty"`
	MinNodes     int         `json:"minNodes"`
	MaxNodes     int         `json:"maxNodes"`
	BurstNodes   int         `json:"burstNodes"`
	Spot         bool        `json:"spot"`
	GPUs         []*PoolGPUs `json:"gpus"`
}

// PoolGPUs are the GPUs of one model in a pool.
type PoolGPUs struct {
	Model       string         `json:"model"`
	Product     string         `json:"product"`
	Count       int            `json:"count"`
	Burst       int            `json:"burst"`
	MIG         map[string]int `json:"mig,omitempty"`
	MIGStrategy string         `json:"migStrategy"`
}

// Flavor is a Kueue ResourceFlavor for one GPU model, or for one product
// of a model when an inventory found several (see buildFlavors).
type Flavor struct {
	Name  string `json:"name"`
	Model string `json:"model"`
	// NodeLabels select the nodes, as GPU Feature Discovery labels them.
	NodeLabels map[string]string `json:"nodeLabels"`
	// Source says where the nvidia.com/gpu.product label comes from:
	// "table", the model's product in the GPU-model table, or
	// "inventory", the products discovered on the environment's hosts.
	Source string `json:"source"`
	// Discovered is the GPUs an inventory found with the flavor's product
	// label; zero without one.
	Discovered int `json:"discovered,omitempty"`
	// Count and Burst are the GPUs of this model in the environment's
	// pools (shared out by Discovered when the model has several flavors).
	Count int `json:"count"`
	Burst int `json:"burst"`
}

// PriorityClass is a scheduling priority tier.
type PriorityClass struct {
	Name     string `json:"name"`
	Priority string `json:"priority"`
	Value    int32  `json:"value"`
}

// Namespace is a team's part of an environment.
type Namespace struct {
	Name       string `json:"name"`
	Team       string `json:"team"`
	Owner      string `json:"owner"`
	CostCentre string `json:"costCentre,omitempty"`
	// Quota is the team's ResourceQuota; zero values mean no limit of that kind.
	Quota Quota `json:"quota"`
	// Queue is the team's Kueue ClusterQueue and LocalQueue.
	Queue *Queue `json:"queue,omitempty"`
	// PriorityClass is the default priority class of the team's workloads.
	PriorityClass string      `json:"priorityClass"`
	Workloads     []*Workload `json:"workloads"`
	// Alerts routes the team's alerts; nil when the platform routes none
	// or the team has no channel.
	Alerts *Alerts `json:"alerts,omitempty"`
}

// Quota is a ResourceQuota's hard limits.
type Quota struct {
	CPUMilli    int64 `json:"cpuMilli,omitempty"`
	MemoryBytes int64 `json:"memoryBytes,omitempty"`
	GPUs        int   `json:"gpus"`
}

// Queue is a team's Kueue ClusterQueue in the environment's cohort.
type Queue struct {
	ClusterQueue string `json:"clusterQueue"`
	LocalQueue   string `json:"localQueue"`
	Cohort       string `json:"cohort"`
	CPUMilli     int64  `json:"cpuMilli"`
	MemoryBytes  int64  `json:"memoryBytes"`
	// GPUs per flavor: nominal quota = reserved.
	GPUs []*QueueGPUs `json:"gpus"`
}

// QueueGPUs is the quota of one flavor in a ClusterQueue.
type QueueGPUs struct {
	Flavor         string `json:"flavor"`
	Model          string `json:"model"`
	Nominal        int    `json:"nominal"`
	BorrowingLimit int    `json:"borrowingLimit"`
	// LendingLimit is nil when every reserved GPU may be lent.
	LendingLimit  *int   `json:"lendingLimit,omitempty"`
	PriorityClass string `json:"priorityClass"`
}

// Workload is a service placed in an environment.
type Workload struct {
	Name      string `json:"name"`
	Service   string `json:"service"`
	Team      string `json:"team"`
	Namespace string `json:"namespace"`
	// Kind is deployment, rollout (canary with analysis), job (queued) or
	// cronjob (a batch data pipeline on its schedule).
	Kind          string            `json:"kind"`
	ServiceKind   string            `json:"serviceKind"`
	Image         string            `json:"image"`
	Port          int               `json:"port"`
	Replicas      int               `json:"replicas"`
	Autoscaling   *Autoscaling      `json:"autoscaling,omitempty"`
	CPUMilli      int64             `json:"cpuMilli"`
	MemoryBytes   int64             `json:"memoryBytes"`
	GPU           *WorkloadGPU      `json:"gpu,omitempty"`
	Queue         string            `json:"queue,omitempty"`
	PriorityClass string            `json:"priorityClass"`
	Routes        []*Route          `json:"routes"`
	Upstreams     []*Upstream       `json:"upstreams"`
	SLOs          []*SLO            `json:"slos"`
	Rollout       Rollout           `json:"rollout"`
	Dependencies  []*Dependency     `json:"dependencies"`
	Labels        map[string]string `json:"labels"`
	Signed        bool              `json:"signed"`
	// Pipeline names the data pipeline a cronjob runs (Service is empty).
	Pipeline string `json:"pipeline,omitempty"`
	// Schedule and TimeZone of a cronjob; Command and Args replace the
	// image's entrypoint and arguments.
	Schedule string   `json:"schedule,omitempty"`
	TimeZone string   `json:"timeZone,omitempty"`
	Command  []string `json:"command,omitempty"`
	Args     []string `json:"args,omitempty"`
	// ExternalStorage: the workload reads and writes object storage
	// outside the cluster (the lakehouse) over HTTPS.
	ExternalStorage bool `json:"externalStorage,omitempty"`
}

// RunsToCompletion reports whether the workload's pods finish (a Job, or
// the Jobs of a CronJob) rather than serve.
func (w *Workload) RunsToCompletion() bool { return w.Kind == "job" || w.Kind == "cronjob" }

// Autoscaling is the HorizontalPodAutoscaler of a workload.
type Autoscaling struct {
	Min       int     `json:"min"`
	Max       int     `json:"max"`
	TargetCPU int     `json:"targetCPU,omitempty"`
	TargetGPU int     `json:"targetGPU,omitempty"`
	TargetRPS float64 `json:"targetRPS,omitempty"`
}

// WorkloadGPU is what a workload asks of GPUs.
type WorkloadGPU struct {
	Model    string `json:"model"`
	Flavor   string `json:"flavor"`
	Count    int    `json:"count"`
	Resource string `json:"resource"`
	// NodeLabels pin the pods to nodes of the model (of its first flavor).
	NodeLabels map[string]string `json:"nodeLabels"`
	// NodeAffinity, when the model has several flavors (an inventory
	// found several products), is every value each node label may take:
	// the pods accept the nodes of any of the flavors.
	NodeAffinity map[string][]string `json:"nodeAffinity,omitempty"`
}

// Route is an HTTPRoute rule with its rate limit.
type Route struct {
	Host           string     `json:"host,omitempty"`
	Path           string     `json:"path"`
	Methods        []string   `json:"methods"`
	RateLimit      *RateLimit `json:"rateLimit,omitempty"`
	TimeoutSeconds float64    `json:"timeoutSeconds,omitempty"`
}

// RateLimit is requests per unit.
type RateLimit struct {
	Requests int    `json:"requests"`
	Unit     string `json:"unit"`
	Burst    int    `json:"burst"`
	By       string `json:"by"`
	Header   string `json:"header,omitempty"`
}

// Upstream is a paid or external API with its guardrails.
type Upstream struct {
	Name        string     `json:"name"`
	URL         string     `json:"url,omitempty"`
	Host        string     `json:"host,omitempty"`
	Paid        bool       `json:"paid"`
	RateLimit   *RateLimit `json:"rateLimit,omitempty"`
	Budget      *Budget    `json:"budget,omitempty"`
	Integration bool       `json:"integration,omitempty"`
	// SecretRef is the key of the integration's credentials in the
	// platform's secret store; Secret the Kubernetes Secret they are
	// synced to in the caller's namespace and MountPath where the
	// caller's containers read them.
	SecretRef string `json:"secretRef,omitempty"`
	Secret    string `json:"secret,omitempty"`
	MountPath string `json:"mountPath,omitempty"`
	// Guard is the egress proxy the caller reaches the upstream through;
	// nil when the upstream has no limit or budget platc enforces.
	Guard *Guard `json:"guard,omitempty"`
}

// Budget is a spending guardrail.
type Budget struct {
	Amount      float64 `json:"amount"`
	Currency    string  `json:"currency"`
	Period      string  `json:"period"`
	AlertAt     float64 `json:"alertAt"`
	OnExhausted string  `json:"onExhausted"`
	Fallback    string  `json:"fallback,omitempty"`
	// PricePerRequest: the guard's forwarded calls are the spend.
	PricePerRequest float64 `json:"pricePerRequest,omitempty"`
}

// SLO is a service level objective with the burn-rate windows to alert on.
type SLO struct {
	Name             string  `json:"name"`
	Kind             string  `json:"kind"`
	Objective        float64 `json:"objective"`
	WindowSeconds    float64 `json:"windowSeconds"`
	ThresholdSeconds float64 `json:"thresholdSeconds,omitempty"`
	ErrorQuery       string  `json:"errorQuery"`
	TotalQuery       string  `json:"totalQuery"`
}

// Rollout is how a workload is released.
type Rollout struct {
	Strategy        string  `json:"strategy"`
	Steps           []int   `json:"steps"`
	AutoRollback    bool    `json:"autoRollback"`
	IntervalSeconds float64 `json:"intervalSeconds"`
}

// Dependency is something a workload calls, resolved to where it lives.
type Dependency struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Namespace and Service of a service dependency in the same environment.
	Namespace string `json:"namespace,omitempty"`
	Port      int    `json:"port,omitempty"`
}

// SyncWindow is an Argo CD sync window.
type SyncWindow struct {
	Kind     string `json:"kind"` // allow or deny
	Name     string `json:"name"`
	Schedule string `json:"schedule"`
	Duration string `json:"duration"`
	TimeZone string `json:"timeZone"`
	// Start and End are a freeze's date range (deny windows only), in
	// UTC: Flux, which has no sync windows, is suspended from one to the
	// other.
	Start *time.Time `json:"start,omitempty"`
	End   *time.Time `json:"end,omitempty"`
}

// Pipeline is a data pipeline whose freshness is alerted on.
type Pipeline struct {
	Name                 string  `json:"name"`
	Owner                string  `json:"owner"`
	Mode                 string  `json:"mode"`
	LatencyTargetSeconds float64 `json:"latencyTargetSeconds"`
	Objective            float64 `json:"objective"`
	// StaleAfterSeconds is how old the last success may be: the latency
	// target, plus for a batch pipeline the longest gap between two of
	// its scheduled runs.
	StaleAfterSeconds float64 `json:"staleAfterSeconds"`
	// CronJob is the CronJob in the owner's namespace that runs the
	// pipeline, when platc runs it; its last successful run is the
	// pipeline's.
	CronJob string `json:"cronJob,omitempty"`
}

// ModelWatch is a model whose drift monitors are alerted on.
type ModelWatch struct {
	Name    string          `json:"name"`
	Team    string          `json:"team"`
	Service string          `json:"service,omitempty"`
	Drift   []*DriftMonitor `json:"drift"`
}

// DriftMonitor is one drift alert.
type DriftMonitor struct {
	Name          string  `json:"name"`
	Metric        string  `json:"metric"`
	Target        string  `json:"target,omitempty"`
	Baseline      string  `json:"baseline"`
	Threshold     float64 `json:"threshold"`
	WindowSeconds float64 `json:"windowSeconds"`
	Query         string  `json:"query"`
}

// Team is a team for CODEOWNERS and the catalog.
type Team struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"displayName,omitempty"`
	Owners      []string `json:"owners"`
	OnCall      string   `json:"onCall"`
	Slack       string   `json:"slack,omitempty"`
	// Files are the spec files that declare the team's parts, relative to the spec root.
	Files []string `json:"files"`
}

// Catalog is what goes into the Backstage catalog.
type Catalog struct {
	Services []*CatalogService `json:"services"`
	Datasets []*CatalogDataset `json:"datasets"`
	Topics   []*CatalogTopic   `json:"topics"`
	Models   []*CatalogModel   `json:"models"`
}

// CatalogService is a service as a Backstage component (and API when routed).
type CatalogService struct {
	Name         string   `json:"name"`
	Team         string   `json:"team"`
	Kind         string   `json:"kind"`
	Description  string   `json:"description,omitempty"`
	Environments []string `json:"environments"`
	Routes       []string `json:"routes"`
	DependsOn    []string `json:"dependsOn"`
}

// CatalogDataset is a dataset as a Backstage resource.
type CatalogDataset struct {
	Name           string   `json:"name"`
	Owner          string   `json:"owner"`
	Description    string   `json:"description,omitempty"`
	Classification string   `json:"classification"`
	Upstreams      []string `json:"upstreams"`
}

// CatalogTopic is an event-bus topic as a Backstage resource.
type CatalogTopic struct {
	Name      string   `json:"name"`
	Owner     string   `json:"owner"`
	Producers []string `json:"producers"`
	Consumers []string `json:"consumers"`
}

// CatalogModel is a model as a Backstage component.
type CatalogModel struct {
	Name         string   `json:"name"`
	Team         string   `json:"team"`
	Service      string   `json:"service,omitempty"`
	TrainingData []string `json:"trainingData"`
}
