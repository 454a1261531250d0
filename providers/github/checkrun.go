package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v62/github"

	"github.com/platc-dev/platc/compiler/diag"
)

// publishCheckRun creates the check run for r.SHA, or updates the one a
// previous report created, and adds an annotation per finding that is
// not there yet, at most [annotationsPerRequest] per request.
func (c *Client) publishCheckRun(ctx context.Context, r *Report) (*CheckRunResult, error) {
	existing, err := c.findCheckRun(ctx, r.Name, r.SHA)
	if err != nil {
		return nil, err
	}
	// GitHub appends the annotations of every update to those the run
	// already has, and none can be removed: a second report of the same
	// commit sends only what is new, so re-running changes nothing.
	have := map[string]bool{}
	if existing != nil {
		if have, err = c.annotationKeys(ctx, existing.GetID()); err != nil {
			return nil, err
		}
	}
	plan := planAnnotations(r.Findings, have, c.cfg.MaxAnnotations)
	res := &CheckRunResult{
		Conclusion:  ConclusionOf(r.Findings, r.FailOnWarn),
		Annotations: plan.annotated,
		Sent:        len(plan.send),
		LeftOut:     plan.leftOut,
		Stale:       plan.stale,
	}
	out := checkRunOutput(r, plan, c.cfg.MaxAnnotations)
	batches := chunk(plan.send, annotationsPerRequest)
	if len(batches) == 0 {
		batches = [][]*gh.CheckRunAnnotation{nil}
	}
	status, conclusion := "completed", string(res.Conclusion)
	for i, batch := range batches {
		o := *out
		o.Annotations = batch
		var run *gh.CheckRun
		if i == 0 && existing == nil {
			run, _, err = c.api.Checks.CreateCheckRun(ctx, c.owner, c.repo, gh.CreateCheckRunOptions{
				Name:       r.Name,
				HeadSHA:    r.SHA,
				DetailsURL: optional(r.DetailsURL),
				Status:     &status,
				Conclusion: &conclusion,
				Output:     &o,
			})
			if err != nil {
				return nil, apiError("create check run", err)
			}
			existing, res.Created = run, true
		} else {
			run, _, err = c.api.Checks.UpdateCheckRun(ctx, c.owner, c.repo, existing.GetID(), gh.UpdateCheckRunOptions{
				Name:       r.Name,
				DetailsURL: optional(r.DetailsURL),
				Status:     &status,
				Conclusion: &conclusion,
				Output:     &o,
			})
			if err != nil {
				return nil, apiError(fmt.Sprintf("update check run %d", existing.GetID()), err)
			}
		}
		res.Requests++
		res.ID = run.GetID()
		if u := run.GetHTMLURL(); u != "" {
			res.URL = u
		}
	}
	if res.URL == "" {
		res.URL = existing.GetHTMLURL()
	}
	return res, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// findCheckRun returns the newest check run named name on sha, or nil.
func (c *Client) findCheckRun(ctx context.Context, name, sha string) (*gh.CheckRun, error) {
	var found *gh.CheckRun
	err := forEachPage(ctx, func(lo gh.ListOptions) (*gh.Response, error) {
		list, resp, err := c.api.Checks.ListCheckRunsForRef(ctx, c.owner, c.repo, sha, &gh.ListCheckRunsOptions{
			CheckName:   &name,
			Filter:      gh.String("latest"),
			ListOptions: lo,
		})
		if err != nil {
			return resp, apiError("list check runs", err)
		}
		for _, run := range list.CheckRuns {
			if run.GetName() == name && (found == nil || run.GetID() > found.GetID()) {
				found = run
			}
		}
		return resp, nil
	})
	return found, err
}

// annotationKeys lists the annotations a check run has.
func (c *Client) annotationKeys(ctx context.Context, id int64) (map[string]bool, error) {
	keys := map[string]bool{}
	err := forEachPage(ctx, func(lo gh.ListOptions) (*gh.Response, error) {
		list, resp, err := c.api.Checks.ListCheckRunAnnotations(ctx, c.owner, c.repo, id, &lo)
		if err != nil {
			return resp, apiError(fmt.Sprintf("list annotations of check run %d", id), err)
		}
		for _, a := range list {
			keys[annotationKey(a)] = true
		}
		return resp, nil
	})
	return keys, err
}

// annotationPlan is what a report annotates.
type annotationPlan struct {
	// send are the annotations the run does not have yet.
	send []*gh.CheckRunAnnotation
	// annotated counts the findings annotated now (sent or there already).
	annotated int
	// leftOut counts findings with a file beyond the cap; unplaced those
	// without a file; stale the run's annotations no finding has now.
	leftOut, unplaced, stale int
}

func planAnnotations(ds diag.Diagnostics, have map[string]bool, limit int) annotationPlan {
	var p annotationPlan
	current := map[string]bool{}
	total := len(have)
	for _, d := range ds {
		if d.Pos.File == "" {
			p.unplaced++
			continue
		}
		a := annotationFor(d)
		k := annotationKey(a)
		if current[k] {
			continue
		}
		current[k] = true
		switch {
		case have[k]:
			p.annotated++
		case total < limit:
			p.send = append(p.send, a)
			p.annotated++
			total++
		default:
			p.leftOut++
		}
	}
	for k := range have {
		if !current[k] {
			p.stale++
		}
	}
	return p
}

// annotationFor places a finding at its line with its level; the rule is
// the title, the hint follows the message.
func annotationFor(d diag.Diagnostic) *gh.CheckRunAnnotation {
	level := "notice"
	switch d.Severity {
	case diag.Error:
		level = "failure"
	case diag.Warning:
		level = "warning"
	}
	line := max(d.Pos.Line, 1)
	msg := d.Message
	if d.Hint != "" {
		msg += "\nhint: " + d.Hint
	}
	a := &gh.CheckRunAnnotation{
		Path:            gh.String(d.Pos.File),
		StartLine:       gh.Int(line),
		EndLine:         gh.Int(line),
		AnnotationLevel: gh.String(level),
		Message:         gh.String(cut(msg, maxAnnotationMessage)),
		Title:           gh.String(cut(d.Rule, maxAnnotationTitle)),
	}
	var details []string
	if d.Path != "" {
		details = append(details, "spec path: "+d.Path)
	}
	for _, rel := range d.Related {
		details = append(details, "see also: "+rel.String())
	}
	if len(details) > 0 {
		a.RawDetails = gh.String(cut(strings.Join(details, "\n"), maxAnnotationMessage))
	}
	return a
}

// annotationKey identifies an annotation by what GitHub shows of it.
func annotationKey(a *gh.CheckRunAnnotation) string {
	return fmt.Sprintf("%s\x00%d\x00%d\x00%s\x00%s\x00%s", a.GetPath(), a.GetStartLine(), a.GetEndLine(),
		a.GetAnnotationLevel(), a.GetTitle(), a.GetMessage())
}

func chunk[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// checkRunOutput is the run's title, summary and text.
func checkRunOutput(r *Report, p annotationPlan, limit int) *gh.CheckRunOutput {
	var sb strings.Builder
	title := "No findings"
	if len(r.Findings) > 0 {
		title = diag.SummaryLine(r.Findings)
	}
	fmt.Fprintf(&sb, "**%s** in `%s` (platc %s).\n", title, codeText(r.Subject), r.Version)
	if len(r.Findings) > 0 {
		sb.WriteString("\n" + ruleTable(r.Findings) + "\n")
	}
	if p.leftOut > 0 {
		fmt.Fprintf(&sb, "\nAnnotations stop at %d: %d more findings are not annotated; the list below has them all (as far as it fits), and `platc check` prints every one.\n", limit, p.leftOut)
	}
	if p.unplaced > 0 {
		fmt.Fprintf(&sb, "\n%s no position in a file and cannot be annotated; see the list below.\n", plural(p.unplaced, "finding has", "findings have"))
	}
	if p.stale > 0 {
		fmt.Fprintf(&sb, "\n%s from an earlier report on this commit no longer %s (GitHub cannot remove annotations).\n", plural(p.stale, "annotation", "annotations"), pick(p.stale == 1, "applies", "apply"))
	}
	summary := cutLines(sb.String(), maxOutputChars, "\n…\n")
	out := &gh.CheckRunOutput{Title: gh.String(title), Summary: gh.String(summary)}
	if len(r.Findings) > 0 {
		out.Text = gh.String(findingsText(r.Findings, maxOutputChars))
	}
	return out
}

// ruleTable counts findings per rule and severity.
func ruleTable(ds diag.Diagnostics) string {
	type row struct{ errs, warns, notes int }
	rows := map[string]*row{}
	var order []string
	for _, d := range ds {
		rw := rows[d.Rule]
		if rw == nil {
			rw = &row{}
			rows[d.Rule] = rw
			order = append(order, d.Rule)
		}
		switch d.Severity {
		case diag.Error:
			rw.errs++
		case diag.Warning:
			rw.warns++
		default:
			rw.notes++
		}
	}
	sortStrings(order)
	var sb strings.Builder
	sb.WriteString("| Rule | Errors | Warnings | Notes |\n| --- | ---: | ---: | ---: |\n")
	for _, id := range order {
		rw := rows[id]
		fmt.Fprintf(&sb, "| `%s` | %d | %d | %d |\n", codeText(id), rw.errs, rw.warns, rw.notes)
	}
	return sb.String()
}

// findingsText lists every finding, as far as limit allows.
func findingsText(ds diag.Diagnostics, limit int) string {
	var sb strings.Builder
	sb.WriteString("### Findings\n\n")
	for i, d := range ds {
		line := fmt.Sprintf("- **%s** `%s` at `%s`: %s", d.Severity, codeText(d.Rule), codeText(where(d)), inline(d.Message))
		if d.Hint != "" {
			line += " — hint: " + inline(d.Hint)
		}
		line += "\n"
		if sb.Len()+len(line) > limit-64 {
			fmt.Fprintf(&sb, "\n… and %d more.\n", len(ds)-i)
			break
		}
		sb.WriteString(line)
	}
	return sb.String()
}

// where is a finding's position for people: file:line, or its spec path.
func where(d diag.Diagnostic) string {
	switch {
	case d.Pos.File != "" && d.Pos.Line > 0:
		return fmt.Sprintf("%s:%d", d.Pos.File, d.Pos.Line)
	case d.Pos.File != "":
		return d.Pos.File
	case d.Path != "":
		return d.Path
	}
	return "-"
}
