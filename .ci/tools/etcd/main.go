// Command etcd is etcd v3.6.8's server, built from its Go module (upstream
// releases are built the same way from server/main.go).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
