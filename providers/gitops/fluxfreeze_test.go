package gitops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/platc-dev/platc/compiler/plan"
)

// TestFluxFreezeSuspends: under Flux, each freeze of an environment
// becomes two CronJobs that the CronJob controller fires exactly at the
// freeze's start (suspending the environment's Kustomization) and at its
// end (resuming it), as a ServiceAccount that may get and patch that one
// Kustomization and nothing else.
func TestFluxFreezeSuspends(t *testing.T) {
	p, _ := render(t, "../../examples/acme-shop")
	fp := engineVariants(p)["flux"]
	tree, err := emitTree(fp)
	if err != nil {
		t.Fatal(err)
	}
	g := fp.Platform.GitOps
	checked := 0
	for _, env := range fp.Environments {
		var freezes []*plan.SyncWindow
		for _, sw := range env.SyncWindows {
			if sw.Kind == "deny" {
				freezes = append(freezes, sw)
			}
		}
		dir := g.EngineDir(env.Name)
		jobsFile, rbacFile := dir+"/freeze-jobs.yaml", dir+"/freeze-rbac.yaml"
		if len(freezes) == 0 {
			if _, ok := tree[jobsFile]; ok {
				t.Errorf("%s: freeze jobs without a freeze", env.Name)
			}
			continue
		}
		ks := fp.Platform.Name + "-" + env.Name
		if !strings.Contains(string(tree[dir+"/kustomization.yaml"]), "- freeze-jobs.yaml") {
			t.Errorf("%s: the engine directory's kustomization does not list the freeze jobs", env.Name)
		}

		// RBAC: get and patch on the environment's Kustomization only.
		var role rbacv1.Role
		for _, d := range docs(tree[rbacFile]) {
			if strings.Contains(string(d), "\nkind: Role\n") {
				if err := yaml.UnmarshalStrict(d, &role); err != nil {
					t.Fatal(err)
				}
			}
		}
		if len(role.Rules) != 1 || strings.Join(role.Rules[0].ResourceNames, ",") != ks ||
			strings.Join(role.Rules[0].Verbs, ",") != "get,patch" || role.Rules[0].Resources[0] != "kustomizations" {
			t.Errorf("%s: the freeze Role grants %+v, want get and patch on kustomizations/%s", env.Name, role.Rules, ks)
		}

		var jobs []batchv1.CronJob
		for _, d := range docs(tree[jobsFile]) {
			var cj batchv1.CronJob
			if err := yaml.UnmarshalStrict(d, &cj); err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, cj)
		}
		if len(jobs) != 2*len(freezes) {
			t.Fatalf("%s: %d freeze CronJobs for %d freezes", env.Name, len(jobs), len(freezes))
		}
		for i, f := range freezes {
			for k, want := range []struct {
				at      time.Time
				suspend bool
			}{{*f.Start, true}, {*f.End, false}} {
				cj := jobs[2*i+k]
				if len(cj.Name) > 52 {
					t.Errorf("CronJob name %s is over 52 characters", cj.Name)
				}
				if cj.Spec.TimeZone == nil || *cj.Spec.TimeZone != "Etc/UTC" {
					t.Errorf("%s: time zone %v, want Etc/UTC", cj.Name, cj.Spec.TimeZone)
				}
				sched, err := cron.ParseStandard(cj.Spec.Schedule)
				if err != nil {
					t.Fatalf("%s: %v", cj.Name, err)
				}
				// The controller's next run, from a minute before: exactly
				// the freeze's start (or end).
				if next := sched.Next(want.at.Add(-time.Minute)); !next.Equal(want.at) {
					t.Errorf("%s fires at %s, want %s", cj.Name, next, want.at)
				}
				pod := cj.Spec.JobTemplate.Spec.Template.Spec
				args := strings.Join(pod.Containers[0].Args, " ")
				wantPatch := `{"spec":{"suspend":false}}`
				if want.suspend {
					wantPatch = `{"spec":{"suspend":true}}`
				}
				if !strings.Contains(args, "patch kustomizations.kustomize.toolkit.fluxcd.io "+ks+" --namespace "+g.Namespace+" --type merge --patch "+wantPatch) {
					t.Errorf("%s runs kubectl %s", cj.Name, args)
				}
				if pod.ServiceAccountName != role.Name || pod.Containers[0].Image == "" {
					t.Errorf("%s runs as %q with image %q", cj.Name, pod.ServiceAccountName, pod.Containers[0].Image)
				}
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no environment of acme-shop has a freeze to check")
	}
}

// TestFluxFreezeJobNames: long platform and environment names are
// shortened to the CronJob limit, uniquely.
func TestFluxFreezeJobNames(t *testing.T) {
	p, _ := render(t, "../../examples/acme-shop")
	fp := engineVariants(p)["flux"]
	fp.Platform.Name = strings.Repeat("a", 40)
	tree, err := emitTree(fp)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, name := range tree.Paths() {
		if !strings.HasSuffix(name, "/freeze-jobs.yaml") {
			continue
		}
		for _, d := range docs(tree[name]) {
			var cj batchv1.CronJob
			if err := yaml.Unmarshal(d, &cj); err != nil {
				t.Fatal(err)
			}
			if len(cj.Name) > 52 || seen[cj.Name] {
				t.Errorf("CronJob name %s: %d characters, seen before %v", cj.Name, len(cj.Name), seen[cj.Name])
			}
			seen[cj.Name] = true
		}
	}
	if len(seen) == 0 {
		t.Fatal("no freeze CronJobs rendered")
	}
}
