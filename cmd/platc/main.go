// Command platc compiles a platform spec written in CUE into Pulumi stacks
// and GitOps manifests. See `platc help`.
package main

import (
	"os"

	"github.com/platc-dev/platc/internal/cli"
)

func main() { os.Exit(cli.Main()) }
