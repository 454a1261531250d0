package validate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A stringFormat is one of the schema's string formats (#Name, #Hostname,
// #HTTPPath …), recognised by a fragment of its regular expression in
// CUE's message. CUE says only that a value is out of the bound of a
// regular expression; explain says what is wrong with the value, in the
// words of Kubernetes and Gateway API, whose rules the formats copy.
type stringFormat struct {
	// fragment occurs in the format's bound as CUE prints it, and in no
	// other format's.
	fragment string
	// what the value is meant to be: "name", "host name".
	what    string
	explain func(v string) string
}

// formats are the schema's formats that get their own message; others keep
// CUE's, with a hint from formatHints.
var formats = []stringFormat{
	{fragment: "^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", what: "name", explain: explainName},
	{fragment: "[-a-z0-9]*[a-z0-9])?)*$", what: "host name", explain: explainHostname},
	{fragment: "2[0-9a-eA-E]", what: "path", explain: explainPath},
	{fragment: "^[A-Za-z0-9!#$%&'*+", what: "header name", explain: explainHeaderName},
	{fragment: "^[a-z][a-z0-9.-]*[a-z0-9]$", what: "topic name", explain: explainTopicName},
}

// Kubernetes' messages for names (k8s.io/apimachinery/pkg/util/validation).
const (
	dns1123LabelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
	maxNameLen      = 63
)

func explainName(v string) string {
	switch {
	case !dns1123Label.MatchString(v):
		return "must be a DNS-1123 label: " + dns1123LabelMsg
	case len(v) > maxNameLen:
		return fmt.Sprintf("must be a DNS-1123 label: must be no more than %d characters", maxNameLen)
	default:
		// A valid DNS-1123 label that starts with a digit.
		return "must start with a letter: names also become Kubernetes Service names, which are DNS-1035 labels"
	}
}

var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func explainHostname(v string) string {
	const want = `must be a lower-case DNS name such as "api.example.com" or "*.example.com" (Gateway API's Hostname)`
	if r, ok := firstRuneNotIn(strings.TrimPrefix(v, "*."), isHostnameRune); ok {
		return fmt.Sprintf("%s is not allowed: %s", quoteRune(r), want)
	}
	return want
}

func isHostnameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.'
}

// explainPath gives the first of Gateway API's rules for a path prefix
// (HTTPPathMatch's validations) that v breaks, in Gateway API's words.
func explainPath(v string) string {
	const suffix = " (Gateway API's path prefix)"
	switch {
	case !strings.HasPrefix(v, "/"):
		return "must be an absolute path and start with '/'" + suffix
	case strings.Contains(v, "//"):
		return "must not contain '//'" + suffix
	case strings.Contains(v, "/./"):
		return "must not contain '/./'" + suffix
	case strings.Contains(v, "/../"):
		return "must not contain '/../'" + suffix
	case strings.Contains(v, "%2f"), strings.Contains(v, "%2F"):
		return "must not contain '%2f' or '%2F'" + suffix
	case strings.Contains(v, "#"):
		return "must not contain '#'" + suffix
	case strings.HasSuffix(v, "/.."):
		return "must not end with '/..'" + suffix
	case strings.HasSuffix(v, "/."):
		return "must not end with '/.'" + suffix
	}
	for i := 0; i < len(v); {
		r, n := utf8.DecodeRuneInString(v[i:])
		if r == '%' {
			if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
				return "a '%' must start an escape of two hexadecimal digits, such as %20" + suffix
			}
			i += 3
			continue
		}
		if !isPathRune(r) {
			return fmt.Sprintf("%s is not allowed: a path is letters, digits, %s and %%-escapes%s", quoteRune(r), pathPunct, suffix)
		}
		i += n
	}
	return "must be a URL path such as \"/v1/orders\"" + suffix
}

const pathPunct = "-._~!$&'()*+,;=:@/"

func isPathRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(pathPunct, r)
}

func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

func explainHeaderName(v string) string {
	const want = "a header name is letters, digits and !#$%&'*+-.^_`|~ (Gateway API's HTTPHeaderName)"
	if v == "" {
		return "must not be empty: " + want
	}
	if r, ok := firstRuneNotIn(v, isHeaderRune); ok {
		return fmt.Sprintf("%s is not allowed: %s", quoteRune(r), want)
	}
	return want
}

func isHeaderRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

func explainTopicName(string) string {
	return "must be lower-case letters, digits, '.' and '-', starting with a letter and ending with a letter or digit"
}

func firstRuneNotIn(s string, ok func(rune) bool) (rune, bool) {
	for _, r := range s {
		if !ok(r) {
			return r, true
		}
	}
	return 0, false
}

// quoteRune quotes r so that a newline or a NUL shows as one.
func quoteRune(r rune) string {
	if r == utf8.RuneError {
		return "an invalid UTF-8 byte"
	}
	return strconv.QuoteRune(r)
}

// explainTime says why a value that has the shape of a date or a time
// names none: the month has no such day, the hour does not exist.
func explainTime(v string) string {
	m := dateTimeParts.FindStringSubmatch(v)
	if m == nil {
		return "not a date"
	}
	year, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	day, _ := strconv.Atoi(m[3])
	if month < 1 || month > 12 {
		return fmt.Sprintf("there is no month %d", month)
	}
	if days := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day(); day < 1 || day > days {
		return fmt.Sprintf("%s %d has %d days", time.Month(month), year, days)
	}
	if m[4] != "" {
		hour, _ := strconv.Atoi(m[4])
		minute, _ := strconv.Atoi(m[5])
		sec, _ := strconv.Atoi(m[6])
		switch {
		case hour > 23:
			return fmt.Sprintf("there is no hour %d", hour)
		case minute > 59:
			return fmt.Sprintf("there is no minute %d", minute)
		case sec > 59:
			return fmt.Sprintf("there is no second %d", sec)
		}
		if z := m[7]; len(z) == 6 {
			if zh, _ := strconv.Atoi(z[1:3]); zh > 23 {
				return fmt.Sprintf("the offset %s is out of range", z)
			}
			if zm, _ := strconv.Atoi(z[4:6]); zm > 59 {
				return fmt.Sprintf("the offset %s is out of range", z)
			}
		}
	}
	return "not a date"
}

var dateTimeParts = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$`)

// shorten quotes a value for a message, cutting a long one short.
func shorten(v string) string {
	const max = 64
	if utf8.RuneCountInString(v) <= max {
		return strconv.Quote(v)
	}
	r := []rune(v)
	return strconv.Quote(string(r[:max])) + "…"
}

// unquoteCUE turns a string as CUE prints it in a message back into the
// string; ok is false when s is not a quoted string.
func unquoteCUE(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	if u, err := strconv.Unquote(s); err == nil {
		return u, true
	}
	return s[1 : len(s)-1], true
}
