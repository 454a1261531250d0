package diag

import (
	"encoding/json"
	"io"
	"path/filepath"
	"slices"
)

// RuleInfo describes a rule for SARIF's tool.driver.rules.
type RuleInfo struct {
	ID          string
	Title       string
	Description string
}

type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string     `json:"id"`
	Name                 string     `json:"name,omitempty"`
	ShortDescription     sarifText  `json:"shortDescription"`
	FullDescription      *sarifText `json:"fullDescription,omitempty"`
	Help                 *sarifText `json:"help,omitempty"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId,omitempty"`
		} `json:"artifactLocation"`
		Region *sarifRegion `json:"region,omitempty"`
	} `json:"physicalLocation"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "note"
	}
}

// WriteSARIF writes the diagnostics as a SARIF 2.1.0 log that GitHub code
// scanning accepts: one run, the rules with their descriptions, and a
// result per diagnostic located at its file, line and column (paths
// relative to the repository root, forward slashes).
func WriteSARIF(w io.Writer, ds Diagnostics, rules []RuleInfo, version string) error {
	byID := map[string]RuleInfo{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	for _, d := range ds {
		if _, ok := byID[d.Rule]; !ok {
			byID[d.Rule] = RuleInfo{ID: d.Rule}
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	index := map[string]int{}
	driver := sarifDriver{Name: "platc", Version: version, InformationURI: "https://github.com/platc-dev/platc", Rules: []sarifRule{}}
	for i, id := range ids {
		r := byID[id]
		sr := sarifRule{ID: id, Name: r.Title, ShortDescription: sarifText{Text: firstNonEmpty(r.Title, id)}}
		if r.Description != "" {
			sr.FullDescription = &sarifText{Text: r.Description}
			sr.Help = &sarifText{Text: r.Description}
		}
		sr.DefaultConfiguration.Level = "error"
		driver.Rules = append(driver.Rules, sr)
		index[id] = i
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, d := range ds {
		res := sarifResult{RuleID: d.Rule, RuleIndex: index[d.Rule], Level: sarifLevel(d.Severity), Message: sarifText{Text: d.Message}}
		if d.Hint != "" {
			res.Message.Text += " (" + d.Hint + ")"
		}
		if d.Pos.File != "" {
			var loc sarifLocation
			loc.PhysicalLocation.ArtifactLocation.URI = filepath.ToSlash(d.Pos.File)
			if !filepath.IsAbs(d.Pos.File) {
				loc.PhysicalLocation.ArtifactLocation.URIBaseID = "%SRCROOT%"
			}
			if d.Pos.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: d.Pos.Line, StartColumn: d.Pos.Column}
			}
			res.Locations = []sarifLocation{loc}
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Version: "2.1.0", Schema: "https://json.schemastore.org/sarif-2.1.0.json", Runs: []sarifRun{run}})
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
