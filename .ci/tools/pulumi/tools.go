//go:build tools

// Package tools pins the Pulumi CLI's module for make tools.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
