// Package model is the typed, normalised form of a platform spec: what the
// loader decodes CUE into and what every later stage (policies, plan,
// emitters) reads. Durations are seconds, memory is bytes, CPU is cores.
//
// The JSON encoding of [Spec] is the policy input contract: field names are
// the spec's own, so a policy path such as "teams.vision.quotas.prod" names
// the same value in the CUE source and in input.
package model

// Spec is a whole platform spec.
type Spec struct {
	Platform     *Platform               `json:"platform,omitempty"`
	Environments map[string]*Environment `json:"environments"`
	Teams        map[string]*Team        `json:"teams"`
	Services     map[string]*Service     `json:"services"`
	Integrations map[string]*Integration `json:"integrations"`
	Events       *Events                 `json:"events,omitempty"`
	Data         *Data                   `json:"data,omitempty"`
	Models       map[string]*Model       `json:"models"`
	KPIs         KPIs                    `json:"kpis"`
	Blueprint    *Blueprint              `json:"blueprint,omitempty"`
	Governance   *Governance             `json:"governance,omitempty"`
	Exceptions   map[string]*Exception   `json:"exceptions"`
}

type Platform struct {
	Name          string            `json:"name"`
	DisplayName   string            `json:"displayName,omitempty"`
	Organisation  string            `json:"organisation,omitempty"`
	Owner         string            `json:"owner"`
	CostCentre    string            `json:"costCentre,omitempty"`
	GitOps        GitOps            `json:"gitops"`
	Pulumi        PulumiConfig      `json:"pulumi"`
	GitHub        *GitHub           `json:"github,omitempty"`
	Gateway       Gateway           `json:"gateway"`
	Egress        Egress            `json:"egress"`
	SupplyChain   SupplyChain       `json:"supplyChain"`
	Secrets       Secrets           `json:"secrets"`
	CI            CI                `json:"ci"`
	Observability Observability     `json:"observability"`
	GPUModels     map[string]string `json:"gpuModels"`
	Policies      PolicySettings    `json:"policies"`
}

// Egress configures the egress guards.
type Egress struct {
	Image string `json:"image"`
}

type GitOps struct {
	Engine       string `json:"engine"`
	Repo         string `json:"repo,omitempty"`
	Branch       string `json:"branch"`
	Path         string `json:"path"`
	Namespace    string `json:"namespace"`
	KubectlImage string `json:"kubectlImage"`
}

type PulumiConfig struct {
	Project         string `json:"project,omitempty"`
	Backend         string `json:"backend,omitempty"`
	SecretsProvider string `json:"secretsProvider"`
}

type GitHub struct {
	Repository    string `json:"repository"`
	APIURL        string `json:"apiURL,omitempty"`
	DefaultBranch string `json:"defaultBranch"`
}

type Gateway struct {
	Implementation string   `json:"implementation"`
	Name           string   `json:"name"`
	Namespace      string   `json:"namespace"`
	Hostnames      []string `json:"hostnames"`
}

type SupplyChain struct {
	Registry string `json:"registry,omitempty"`
	Signing  struct {
		Tool     string `json:"tool"`
		Keyless  bool   `json:"keyless"`
		Key      string `json:"key,omitempty"`
		Identity *struct {
			Issuer  string `json:"issuer"`
			Subject string `json:"subject"`
		} `json:"identity,omitempty"`
	} `json:"signing"`
	Verify struct {
		Enforce      []string `json:"enforce"`
		PolicyEngine string   `json:"policyEngine"`
	} `json:"verify"`
}

// Secrets is where secretRefs are read from.
type Secrets struct {
	Store     string   `json:"store"`
	StoreKind string   `json:"storeKind"`
	Refresh   Duration `json:"refresh"`
}

type CI struct {
	Provider string   `json:"provider"`
	Gates    []string `json:"gates"`
	Approval Approval `json:"approval"`
}

// Approval is who approves an apply: the accountable party of a RACI
// task, as the required reviewers of a GitHub deployment environment.
type Approval struct {
	Environment string `json:"environment"`
	RACI        string `json:"raci"`
}

type Observability struct {
	Metrics       string `json:"metrics"`
	Logs          string `json:"logs"`
	Traces        string `json:"traces"`
	PrometheusURL string `json:"prometheusURL,omitempty"`
	// PrometheusServer is Prometheus's in-cluster address.
	PrometheusServer string `json:"prometheusServer"`
	Alertmanager     *struct {
		Receiver     string `json:"receiver,omitempty"`
		SlackWebhook string `json:"slackWebhook,omitempty"`
	} `json:"alertmanager,omitempty"`
}

type PolicySettings struct {
	Disabled []string `json:"disabled"`
}

// Tiers are the environment tiers the schema allows (#Tier), in the order
// changes reach them.
var Tiers = []string{"dev", "test", "prod"}

type Environment struct {
	Name          string            `json:"name"`
	Tier          string            `json:"tier"`
	Owner         string            `json:"owner"`
	Description   string            `json:"description,omitempty"`
	Cluster       Cluster           `json:"cluster"`
	Pools         map[string]*Pool  `json:"pools"`
	Cohort        string            `json:"cohort"`
	Bandwidth     Bandwidth         `json:"bandwidth,omitempty"`
	ChangeWindows []ChangeWindow    `json:"changeWindows"`
	Freezes       []Freeze          `json:"freezes"`
	Labels        map[string]string `json:"labels"`
}

type Cluster struct {
	Provider          string   `json:"provider"`
	Region            string   `json:"region,omitempty"`
	KubernetesVersion string   `json:"kubernetesVersion"`
	Name              string   `json:"name,omitempty"`
	KubeContext       string   `json:"kubeContext,omitempty"`
	SubnetIDs         []string `json:"subnetIds"`
	Mesh              string   `json:"mesh"`
}

type Pool struct {
	Name         string              `json:"name"`
	CPU          CPU                 `json:"cpu"`
	Memory       Bytes               `json:"memory"`
	GPUs         map[string]*GPUPool `json:"gpus"`
	InstanceType string              `json:"instanceType,omitempty"`
	Nodes        *NodeRange          `json:"nodes,omitempty"`
	Spot         bool                `json:"spot"`
	Labels       map[string]string   `json:"labels"`
}

type NodeRange struct {
	Min   int `json:"min"`
	Max   int `json:"max"`
	Burst int `json:"burst"`
}

type GPUPool struct {
	Model       string         `json:"model"`
	Count       int            `json:"count"`
	Burst       int            `json:"burst"`
	Memory      Bytes          `json:"memory,omitempty"`
	MIG         map[string]int `json:"mig"`
	MIGStrategy string         `json:"migStrategy"`
}

type ChangeWindow struct {
	Name     string   `json:"name"`
	Days     []string `json:"days"`
	Start    string   `json:"start"`
	End      string   `json:"end"`
	Timezone string   `json:"timezone"`
}

type Freeze struct {
	Name   string `json:"name"`
	Start  string `json:"start"`
	End    string `json:"end"`
	Reason string `json:"reason,omitempty"`
}

type Team struct {
	Name        string            `json:"name"`
	DisplayName string            `json:"displayName,omitempty"`
	Owners      []string          `json:"owners"`
	OnCall      string            `json:"onCall"`
	CostCentre  string            `json:"costCentre,omitempty"`
	Slack       string            `json:"slack,omitempty"`
	Quotas      map[string]*Quota `json:"quotas"`
}

type Quota struct {
	Environment string               `json:"environment"`
	CPU         CPU                  `json:"cpu,omitempty"`
	Memory      Bytes                `json:"memory,omitempty"`
	GPUs        map[string]*GPUQuota `json:"gpus"`
	Priority    string               `json:"priority"`
}

type GPUQuota struct {
	Model          string         `json:"model"`
	Reserved       int            `json:"reserved"`
	BorrowingLimit int            `json:"borrowingLimit"`
	LendingLimit   *int           `json:"lendingLimit,omitempty"`
	Priority       string         `json:"priority,omitempty"`
	MIG            map[string]int `json:"mig"`
}

type Service struct {
	Name         string                `json:"name"`
	Team         string                `json:"team"`
	Kind         string                `json:"kind"`
	Description  string                `json:"description,omitempty"`
	Image        string                `json:"image"`
	Signed       bool                  `json:"signed"`
	Port         int                   `json:"port"`
	Environments map[string]*Placement `json:"environments"`
	Resources    Resources             `json:"resources"`
	Routes       []Route               `json:"routes"`
	RateLimit    *RateLimit            `json:"rateLimit,omitempty"`
	Upstreams    map[string]*Upstream  `json:"upstreams"`
	SLOs         map[string]*SLO       `json:"slos"`
	Rollout      Rollout               `json:"rollout"`
	Dependencies []string              `json:"dependencies"`
	Labels       map[string]string     `json:"labels"`
}

type Placement struct {
	Environment string       `json:"environment"`
	Replicas    int          `json:"replicas"`
	Autoscaling *Autoscaling `json:"autoscaling,omitempty"`
	Queue       bool         `json:"queue"`
}

type Autoscaling struct {
	Min       int     `json:"min"`
	Max       int     `json:"max"`
	TargetCPU int     `json:"targetCPU,omitempty"`
	TargetGPU int     `json:"targetGPU,omitempty"`
	TargetRPS float64 `json:"targetRPS,omitempty"`
}

type Resources struct {
	CPU    CPU         `json:"cpu"`
	Memory Bytes       `json:"memory"`
	GPU    *GPURequest `json:"gpu,omitempty"`
}

type GPURequest struct {
	Model string `json:"model"`
	Count int    `json:"count"`
	MIG   string `json:"mig,omitempty"`
}

type Route struct {
	Host      string     `json:"host,omitempty"`
	Path      string     `json:"path"`
	Methods   []string   `json:"methods"`
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	Timeout   Duration   `json:"timeout,omitempty"`
}

type RateLimit struct {
	Requests int    `json:"requests"`
	Per      string `json:"per"`
	Burst    int    `json:"burst"`
	By       string `json:"by"`
	Header   string `json:"header,omitempty"`
}

type Upstream struct {
	Name      string     `json:"name"`
	URL       string     `json:"url,omitempty"`
	Paid      bool       `json:"paid"`
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	Budget    *Budget    `json:"budget,omitempty"`
}

type Budget struct {
	Amount      float64 `json:"amount"`
	Currency    string  `json:"currency"`
	Period      string  `json:"period"`
	AlertAt     float64 `json:"alertAt"`
	OnExhausted string  `json:"onExhausted"`
	Fallback    string  `json:"fallback,omitempty"`
	// PricePerRequest is the cost of one call, in Currency; 0 when the
	// caller exports its spend itself.
	PricePerRequest float64 `json:"pricePerRequest,omitempty"`
}

type SLO struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Objective float64  `json:"objective"`
	Window    Duration `json:"window"`
	Threshold Duration `json:"threshold,omitempty"`
	SLI       *SLI     `json:"sli,omitempty"`
}

type SLI struct {
	ErrorQuery string `json:"errorQuery"`
	TotalQuery string `json:"totalQuery"`
}

type Rollout struct {
	Strategy         string   `json:"strategy"`
	Steps            []int    `json:"steps"`
	AutoRollback     bool     `json:"autoRollback"`
	AnalysisInterval Duration `json:"analysisInterval"`
}

type Integration struct {
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	Owner       string     `json:"owner"`
	URL         string     `json:"url,omitempty"`
	Description string     `json:"description,omitempty"`
	Paid        bool       `json:"paid"`
	RateLimit   *RateLimit `json:"rateLimit,omitempty"`
	Budget      *Budget    `json:"budget,omitempty"`
	SecretRef   string     `json:"secretRef,omitempty"`
}

type Events struct {
	Bus struct {
		Kind         string   `json:"kind"`
		Environments []string `json:"environments"`
	} `json:"bus"`
	Topics map[string]*Topic `json:"topics"`
}

type Topic struct {
	Name        string   `json:"name"`
	Owner       string   `json:"owner"`
	Description string   `json:"description,omitempty"`
	Producers   []string `json:"producers"`
	Consumers   []string `json:"consumers"`
	Retention   Duration `json:"retention"`
	Partitions  int      `json:"partitions"`
	Schema      string   `json:"schema,omitempty"`
}

type Data struct {
	Lakehouse *Lakehouse `json:"lakehouse,omitempty"`
	Catalog   *struct {
		Tool string `json:"tool"`
	} `json:"catalog,omitempty"`
	Datasets  map[string]*Dataset  `json:"datasets"`
	Pipelines map[string]*Pipeline `json:"pipelines"`
}

type Lakehouse struct {
	Format    string   `json:"format"`
	Storage   string   `json:"storage"`
	Bucket    string   `json:"bucket"`
	Engine    string   `json:"engine"`
	Owner     string   `json:"owner"`
	Retention Duration `json:"retention,omitempty"`
}

type Dataset struct {
	Name           string   `json:"name"`
	Owner          string   `json:"owner"`
	Description    string   `json:"description,omitempty"`
	Classification string   `json:"classification"`
	Lineage        Lineage  `json:"lineage"`
	Quality        *Quality `json:"quality,omitempty"`
	Freshness      Duration `json:"freshness,omitempty"`
	Retention      Duration `json:"retention,omitempty"`
	Tags           []string `json:"tags"`
}

type Lineage struct {
	Upstreams []string `json:"upstreams"`
}

type Quality struct {
	Threshold float64  `json:"threshold"`
	Checks    []string `json:"checks"`
}

type Pipeline struct {
	Name          string   `json:"name"`
	Owner         string   `json:"owner"`
	Mode          string   `json:"mode"`
	Description   string   `json:"description,omitempty"`
	Sources       []string `json:"sources"`
	Outputs       []string `json:"outputs"`
	LatencyTarget Duration `json:"latencyTarget,omitempty"`
	Objective     float64  `json:"objective,omitempty"`
	Schedule      string   `json:"schedule,omitempty"`
	TimeZone      string   `json:"timeZone,omitempty"`
	Engine        string   `json:"engine,omitempty"`
	// Image runs a batch pipeline as a CronJob.
	Image     string            `json:"image,omitempty"`
	Command   []string          `json:"command"`
	Args      []string          `json:"args"`
	Resources PipelineResources `json:"resources"`
}

// PipelineResources is what each run of a pipeline asks for.
type PipelineResources struct {
	CPU    CPU   `json:"cpu"`
	Memory Bytes `json:"memory"`
}

type Model struct {
	Name         string                   `json:"name"`
	Team         string                   `json:"team"`
	Description  string                   `json:"description,omitempty"`
	Service      string                   `json:"service,omitempty"`
	Framework    string                   `json:"framework,omitempty"`
	TrainingData []string                 `json:"trainingData"`
	Drift        map[string]*DriftMonitor `json:"drift"`
	Retraining   *Retraining              `json:"retraining,omitempty"`
	Promotion    struct {
		Strategy string `json:"strategy"`
		Approval string `json:"approval,omitempty"`
	} `json:"promotion"`
}

type DriftMonitor struct {
	Name      string   `json:"name"`
	Metric    string   `json:"metric"`
	Target    string   `json:"target,omitempty"`
	Baseline  string   `json:"baseline"`
	Threshold float64  `json:"threshold"`
	Window    Duration `json:"window"`
	Query     string   `json:"query,omitempty"`
}

type Retraining struct {
	Trigger    string `json:"trigger"`
	Schedule   string `json:"schedule,omitempty"`
	Pipeline   string `json:"pipeline,omitempty"`
	Evaluation *struct {
		Metric              string  `json:"metric"`
		Threshold           float64 `json:"threshold"`
		CompareToProduction bool    `json:"compareToProduction"`
	} `json:"evaluation,omitempty"`
}

type KPIs struct {
	Delivery struct {
		LeadTime Duration `json:"leadTime"`
	} `json:"delivery"`
	Reliability struct {
		Availability float64 `json:"availability"`
	} `json:"reliability"`
	Cost struct {
		GPUUtilisation float64 `json:"gpuUtilisation"`
	} `json:"cost"`
	Resilience struct {
		MTTR Duration `json:"mttr"`
	} `json:"resilience"`
	Data struct {
		PipelineObjective float64  `json:"pipelineObjective"`
		LatencyTarget     Duration `json:"latencyTarget"`
	} `json:"data"`
}

type Blueprint struct {
	Name   string            `json:"name,omitempty"`
	Start  string            `json:"start"`
	Phases map[string]*Phase `json:"phases"`
}

type Phase struct {
	Name       string                `json:"name"`
	Title      string                `json:"title,omitempty"`
	From       int                   `json:"from"`
	To         int                   `json:"to"`
	Goals      []string              `json:"goals"`
	Milestones map[string]*Milestone `json:"milestones"`
}

type Milestone struct {
	Name         string   `json:"name"`
	Title        string   `json:"title,omitempty"`
	Due          int      `json:"due"`
	Owner        string   `json:"owner"`
	Capabilities []string `json:"capabilities"`
}

type Governance struct {
	RACI         map[string]*RACITask          `json:"raci"`
	Architecture map[string]*ArchitectureLayer `json:"architecture"`
	Stages       map[string]*StageGate         `json:"stages"`
	Changes      map[string]*Change            `json:"changes"`
}

type RACITask struct {
	Task        string   `json:"task"`
	Title       string   `json:"title,omitempty"`
	Responsible []string `json:"responsible"`
	Accountable []string `json:"accountable"`
	Consulted   []string `json:"consulted"`
	Informed    []string `json:"informed"`
}

type ArchitectureLayer struct {
	Layer      string   `json:"layer"`
	Owner      string   `json:"owner"`
	Modules    []string `json:"modules"`
	Interfaces []string `json:"interfaces"`
	DependsOn  []string `json:"dependsOn"`
}

type StageGate struct {
	Stage  string    `json:"stage"`
	DevOps Toolchain `json:"devops"`
	MLOps  Toolchain `json:"mlops"`
	Gate   string    `json:"gate"`
	Owner  string    `json:"owner"`
}

type Toolchain struct {
	Tools   []string `json:"tools"`
	Actions []string `json:"actions"`
}

type Change struct {
	ID           string `json:"id"`
	Date         string `json:"date"`
	Environment  string `json:"environment"`
	System       string `json:"system"`
	Type         string `json:"type"`
	Impact       string `json:"impact"`
	RollbackPlan string `json:"rollbackPlan,omitempty"`
	Status       string `json:"status"`
	Owner        string `json:"owner,omitempty"`
}

type Exception struct {
	ID         string `json:"id"`
	Rule       string `json:"rule"`
	Path       string `json:"path"`
	Reason     string `json:"reason"`
	Expires    string `json:"expires"`
	ApprovedBy string `json:"approvedBy,omitempty"`
}
