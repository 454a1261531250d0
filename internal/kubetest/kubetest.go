// Package kubetest runs a real kube-apiserver, backed by its own etcd, for
// the length of a test, so that what platc renders can be checked by the
// API server itself: server-side dry-run apply runs defaulting, the built-in
// validation, CRD schema validation (with strict field validation) and
// admission, everything short of storing the object.
//
// The binaries are built by `make tools` into .tools/bin at the repository
// root (.ci/tools/kube, .ci/tools/etcd). A test that needs them fails, with
// the command to run, when they are missing.
package kubetest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
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

	dir      string
	etcdURL  string
	etcd     *process
	apiser   *process
	warnings *warningCollector
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

// binaries returns the paths of etcd and kube-apiserver, or an error that
// names the command that installs them.
func binaries() (etcd, apiserver string, err error) {
	bin, err := BinDir()
	if err != nil {
		return "", "", err
	}
	var missing []string
	paths := map[string]string{}
	for _, name := range []string{"etcd", "kube-apiserver"} {
		p := filepath.Join(bin, name)
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing = append(missing, p)
		}
		paths[name] = p
	}
	if len(missing) > 0 {
		root := filepath.Dir(filepath.Dir(bin))
		return "", "", fmt.Errorf("missing %s: this test runs a real API server; install it with `%s` in %s (builds kube-apiserver and etcd from .ci/tools; about 15 minutes on a cold build cache)",
			strings.Join(missing, ", "), InstallCommand, root)
	}
	return paths["etcd"], paths["kube-apiserver"], nil
}

// Start starts etcd and kube-apiserver on loopback, waits until the API
// server is ready and stops both when the test ends. It fails the test,
// never skips it, when the binaries are missing.
func Start(t testing.TB) *Server {
	t.Helper()
	etcdBin, apiBin, err := binaries()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{dir: t.TempDir(), warnings: &warningCollector{}}
	t.Cleanup(s.stop)
	start := time.Now()
	if err := retryPorts(func(attempt int) error { return s.startEtcd(etcdBin, attempt) }); err != nil {
		t.Fatalf("etcd: %v", err)
	}
	if err := retryPorts(func(int) error { return s.startAPIServer(apiBin) }); err != nil {
		t.Fatalf("kube-apiserver: %v", err)
	}
	t.Logf("kube-apiserver %s ready at %s in %s", s.Version, s.Config.Host, time.Since(start).Round(time.Millisecond))
	return s
}

// errPortTaken reports a process that could not listen on the free port
// it was given: something else took it in between.
var errPortTaken = errors.New("port taken")

// retryPorts calls start until it does not fail with errPortTaken, three
// times at most.
func retryPorts(start func(attempt int) error) error {
	var err error
	for attempt := range 3 {
		if err = start(attempt); !errors.Is(err, errPortTaken) {
			return err
		}
	}
	return err
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (s *Server) startEtcd(bin string, attempt int) error {
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	client := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	s.etcd, err = startProcess(filepath.Join(s.dir, "etcd.log"), bin,
		"--name=kubetest",
		"--data-dir="+filepath.Join(s.dir, "etcd"+strconv.Itoa(attempt)),
		"--listen-client-urls="+client,
		"--advertise-client-urls="+client,
		"--listen-peer-urls="+peer,
		"--initial-advertise-peer-urls="+peer,
		"--initial-cluster=kubetest="+peer,
		"--unsafe-no-fsync",
		"--log-level=warn",
	)
	if err != nil {
		return err
	}
	err = s.waitFor(s.etcd, 30*time.Second, func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, client+"/health", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"health":"true"`)) {
			return fmt.Errorf("/health: %s %s", resp.Status, body)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.etcdURL = client
	return nil
}

func (s *Server) startAPIServer(bin string) error {
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	token, err := randomHex(16)
	if err != nil {
		return err
	}
	tokens := filepath.Join(s.dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(token+",kubetest-admin,kubetest-admin,system:masters\n"), 0o600); err != nil {
		return err
	}
	saKey := filepath.Join(s.dir, "sa.key")
	if err := writeECKey(saKey); err != nil {
		return err
	}
	certDir := filepath.Join(s.dir, "certs")
	port := strconv.Itoa(ports[0])
	s.apiser, err = startProcess(filepath.Join(s.dir, "kube-apiserver.log"), bin,
		"--etcd-servers="+s.etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port="+port,
		"--cert-dir="+certDir,
		"--authorization-mode=AlwaysAllow",
		"--token-auth-file="+tokens,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+saKey,
		"--service-account-signing-key-file="+saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		// Nothing reconciles the kubernetes Service's endpoints or
		// watches priority levels here: less to start, same validation.
		"--endpoint-reconciler-type=none",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
	)
	if err != nil {
		return err
	}
	cfg := &rest.Config{
		Host:        "https://127.0.0.1:" + port,
		BearerToken: token,
		QPS:         200,
		Burst:       400,
		Timeout:     30 * time.Second,
		// The serving certificate is self-signed and generated in
		// --cert-dir on start; the connection stays on loopback.
		TLSClientConfig:           rest.TLSClientConfig{Insecure: true},
		WarningHandlerWithContext: s.warnings,
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	err = s.waitFor(s.apiser, 90*time.Second, func(ctx context.Context) error {
		body, err := dc.RESTClient().Get().AbsPath("/readyz").Do(ctx).Raw()
		if err != nil {
			return fmt.Errorf("/readyz: %v %s", err, body)
		}
		return nil
	})
	if err != nil {
		return err
	}
	v, err := dc.ServerVersion()
	if err != nil {
		return fmt.Errorf("/version: %w", err)
	}
	s.Version = v.GitVersion
	s.Config = cfg
	if s.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return err
	}
	s.Discovery = memory.NewMemCacheClient(dc)
	s.Mapper = restmapper.NewDeferredDiscoveryRESTMapper(s.Discovery)
	return nil
}

// waitFor polls ready until it succeeds, the process exits or the timeout
// passes; the errors carry the end of the process's log.
func (s *Server) waitFor(p *process, timeout time.Duration, ready func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		last = ready(ctx)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-p.done:
			log := p.tail()
			if strings.Contains(log, "address already in use") {
				return fmt.Errorf("%s: %w\n%s", filepath.Base(p.cmd.Path), errPortTaken, log)
			}
			return fmt.Errorf("%s exited (%v) before it was ready\n%s", filepath.Base(p.cmd.Path), p.err, log)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %v\n%s", filepath.Base(p.cmd.Path), timeout, last, p.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop stops the API server, then etcd. (A failure to start reports the
// end of the process's log.)
func (s *Server) stop() {
	for _, p := range []*process{s.apiser, s.etcd} {
		if p != nil {
			p.stop(15 * time.Second)
		}
	}
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// writeECKey writes a P-256 private key the API server both signs service
// account tokens with and verifies them by.
func writeECKey(path string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

// process is a started command whose output goes to a log file.
type process struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
	once sync.Once
}

func startProcess(log, bin string, args ...string) (*process, error) {
	f, err := os.Create(log)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.Dir = filepath.Dir(log)
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &process{cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// stop sends SIGTERM and, after grace, SIGKILL.
func (p *process) stop(grace time.Duration) {
	p.once.Do(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// tail returns the last lines of the process's log.
func (p *process) tail() string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	const max = 8 << 10
	if len(b) > max {
		b = b[len(b)-max:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
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
