// Package kubetest runs a real kube-apiserver, backed by its own etcd, for
// the length of a test, so that what platc renders can be checked by the
// API server itself: server-side dry-run apply runs defaulting, the built-in
// validation, CRD schema validation (with strict field validation) and
// admission, everything short of storing the object.
//
// controller-runtime's envtest starts and stops the two processes. The
// binaries are built by `make tools` into .tools/bin at the repository
// root (.ci/tools/kube, .ci/tools/etcd). A test that needs them fails, with
// the command to run, when they are missing.
package kubetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// InstallCommand is what installs the binaries Start needs.
const InstallCommand = "make tools"

// Server is a running kube-apiserver and its etcd.
type Server struct {
	// Config reaches the API server as a member of system:masters.
	Config *rest.Config
	// Dynamic is a dynamic client for Config.
	Dynamic dynamic.Interface
	// Discovery is a cached discovery client; Mapper reads it. Both are
	// reset when InstallCRDs adds kinds.
	Discovery discovery.CachedDiscoveryInterface
	// Mapper maps kinds to resources.
	Mapper *restmapper.DeferredDiscoveryRESTMapper
	// Version is the API server's version (its /version gitVersion).
	Version string

	env *envtest.Environment
}

// RESTMapper returns the server's RESTMapper.
func (s *Server) RESTMapper() meta.RESTMapper { return s.Mapper }

// Root returns the directory of the go.mod that holds the test's working
// directory (a package directory under `go test`): the repository root.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod in %s or any parent directory", dir)
		}
		d = parent
	}
}

// BinDir returns <repository root>/.tools/bin.
func BinDir() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".tools", "bin"), nil
}

// binDir returns .tools/bin, or an error that names the command that
// installs etcd and kube-apiserver into it when either is missing.
func binDir() (string, error) {
	bin, err := BinDir()
	if err != nil {
		return "", err
	}
	var missing []string
	for _, name := range []string{"etcd", "kube-apiserver"} {
		p := filepath.Join(bin, name)
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		root := filepath.Dir(filepath.Dir(bin))
		return "", fmt.Errorf("missing %s: this test runs a real API server; install it with `%s` in %s (builds kube-apiserver and etcd from .ci/tools; about 15 minutes on a cold build cache)",
			strings.Join(missing, ", "), InstallCommand, root)
	}
	return bin, nil
}

// Start starts etcd and kube-apiserver on loopback through envtest, waits
// until the API server is ready and stops both when the test ends. It
// fails the test, never skips it, when the binaries are missing.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		t.Fatal(err)
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory:    bin,
		ControlPlaneStartTimeout: 90 * time.Second,
		ControlPlaneStopTimeout:  15 * time.Second,
	}
	// Nothing reconciles the kubernetes Service's endpoints or watches
	// priority levels here: less to start, the same validation.
	env.ControlPlane.GetAPIServer().Configure().
		Set("endpoint-reconciler-type", "none").
		Set("enable-priority-and-fairness", "false").
		Set("profiling", "false")
	start := time.Now()
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop()
		t.Fatalf("envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Logf("envtest: stop: %v", err)
		}
	})
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst, cfg.Timeout = 200, 400, 30*time.Second
	cfg.WarningHandlerWithContext = &warningCollector{}
	s := &Server{Config: cfg, env: env}
	if err := s.connect(); err != nil {
		t.Fatalf("kube-apiserver: %v", err)
	}
	t.Logf("kube-apiserver %s ready at %s in %s", s.Version, cfg.Host, time.Since(start).Round(time.Millisecond))
	return s
}

// connect makes the server's clients and reads its version.
func (s *Server) connect() error {
	dc, err := discovery.NewDiscoveryClientForConfig(s.Config)
	if err != nil {
		return err
	}
	v, err := dc.ServerVersion()
	if err != nil {
		return fmt.Errorf("/version: %w", err)
	}
	s.Version = v.GitVersion
	if s.Dynamic, err = dynamic.NewForConfig(s.Config); err != nil {
		return err
	}
	s.Discovery = memory.NewMemCacheClient(dc)
	s.Mapper = restmapper.NewDeferredDiscoveryRESTMapper(s.Discovery)
	return nil
}

// warningCollector hands the API server's warnings to the collector in the
// request's context, if any.
type warningCollector struct{}

type warningsKey struct{}

type warnings struct {
	mu   sync.Mutex
	list []string
}

func (*warningCollector) HandleWarningHeaderWithContext(ctx context.Context, code int, _ string, text string) {
	if code != 299 || text == "" {
		return
	}
	if w, ok := ctx.Value(warningsKey{}).(*warnings); ok {
		w.mu.Lock()
		w.list = append(w.list, text)
		w.mu.Unlock()
	}
}

func withWarnings(ctx context.Context) (context.Context, *warnings) {
	w := &warnings{}
	return context.WithValue(ctx, warningsKey{}, w), w
}

// Kubeconfig is a kubeconfig for a user of the server, in the given
// groups (system:masters may do anything; a user in no group may do
// nothing but discovery), with one context named after the server's
// cluster.
func (s *Server) Kubeconfig(user string, groups ...string) ([]byte, error) {
	u, err := s.env.AddUser(envtest.User{Name: user, Groups: groups}, s.Config)
	if err != nil {
		return nil, err
	}
	return u.KubeConfig()
}
