//go:build tools

// Package tools pins the kube-apiserver command for `make tools`.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
