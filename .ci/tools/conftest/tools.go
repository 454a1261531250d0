//go:build tools

// Package tools pins the conftest command for `make bench-tools`.
package tools

import _ "github.com/open-policy-agent/conftest"
