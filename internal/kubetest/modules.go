package kubetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
)

// ModuleDir returns the directory of a module in the module cache,
// downloading it first if needed (`go mod download -json`, run at the
// repository root). module is a path, whose version is then the one the
// repository's go.mod selects, or path@version for a module the repository
// does not depend on (CRDs shipped in a project's module zip).
func ModuleDir(ctx context.Context, module string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", module)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var m struct {
		Path, Version, Dir, Error string
	}
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		return "", fmt.Errorf("go mod download -json %s: %v: %s%s", module, runErr, stdout.Bytes(), stderr.Bytes())
	}
	if m.Error != "" {
		return "", fmt.Errorf("go mod download -json %s: %s", module, m.Error)
	}
	if runErr != nil || m.Dir == "" {
		return "", fmt.Errorf("go mod download -json %s: %v: %s", module, runErr, strings.TrimSpace(stderr.String()))
	}
	return m.Dir, nil
}
