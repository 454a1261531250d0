package diag

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteGitHub writes the diagnostics as GitHub Actions workflow commands,
// which the runner turns into annotations on the pull request's files.
func WriteGitHub(w io.Writer, ds Diagnostics) error {
	for _, d := range ds {
		cmd := "warning"
		switch d.Severity {
		case Error:
			cmd = "error"
		case Info:
			cmd = "notice"
		}
		props := []string{}
		if d.Pos.File != "" {
			props = append(props, "file="+escapeProperty(d.Pos.File))
			if d.Pos.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", d.Pos.Line), fmt.Sprintf("col=%d", d.Pos.Column))
			}
		}
		props = append(props, "title="+escapeProperty(d.Rule))
		msg := d.Message
		if d.Hint != "" {
			msg += "\n" + d.Hint
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(msg)); err != nil {
			return err
		}
	}
	return nil
}

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the diagnostics as a JUnit XML report: one test case
// per finding, failed for errors (and for warnings when failOnWarn), so CI
// systems that read JUnit show them; a clean run is one passing case.
func WriteJUnit(w io.Writer, ds Diagnostics, failOnWarn bool) error {
	suite := junitSuite{Name: "platc check"}
	for _, d := range ds {
		c := junitCase{Name: fmt.Sprintf("%s: %s", d.Pos, d.Message), ClassName: d.Rule}
		text := fmt.Sprintf("%s: %s %s: %s", d.Pos, d.Severity, d.Rule, d.Message)
		if d.Hint != "" {
			text += "\nhint: " + d.Hint
		}
		if d.Severity == Error || d.Severity == Warning && failOnWarn {
			c.Failure = &junitFailure{Message: d.Message, Type: d.Severity.String(), Text: text}
			suite.Failures++
		} else {
			c.SystemOut = text
		}
		suite.Cases = append(suite.Cases, c)
	}
	if len(suite.Cases) == 0 {
		suite.Cases = []junitCase{{Name: "no findings", ClassName: "platc"}}
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "platc", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
