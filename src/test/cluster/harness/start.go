package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	serviceClusterIPRange = "10.0.0.0/24"
	serviceClusterIP      = "10.0.0.1" // the first address of the range: the "kubernetes" Service
	serviceAccountIssuer  = "https://kubernetes.default.svc.cluster.local"
	adminUser             = "podguard-e2e-admin"
	etcdMemberName        = "podguard-e2e"
	portAttempts          = 3
)

type startOptions struct {
	binDir                  string
	timeout                 time.Duration
	ttl                     time.Duration
	watchPID                int
	serviceAccountAdmission bool
	podSecurityAdmission    bool
	extraAPIServerArgs      multiFlag
	apiserverVerbosity      int
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		if s, err := strconv.Atoi(v); err == nil {
			return time.Duration(s) * time.Second
		}
		fmt.Fprintf(os.Stderr, "e2e-cluster: ignoring %s=%q: not a duration\n", name, v)
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if i, err := strconv.Atoi(v); err == nil {
			return i
		}
		fmt.Fprintf(os.Stderr, "e2e-cluster: ignoring %s=%q: not a number\n", name, v)
	}
	return def
}

func runStart(args []string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e-cluster: %v\n", err)
		return 1
	}
	defaultBin := os.Getenv("PODGUARD_E2E_BIN_DIR")
	if defaultBin == "" {
		defaultBin = filepath.Dir(self)
	}

	var o startOptions
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: e2e-cluster start [flags] WORKDIR")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.binDir, "bin-dir", defaultBin,
		"directory holding the etcd and kube-apiserver binaries (env PODGUARD_E2E_BIN_DIR)")
	fs.DurationVar(&o.timeout, "timeout", envDuration("PODGUARD_E2E_START_TIMEOUT", 90*time.Second),
		"give up when the API is not ready within this time (env PODGUARD_E2E_START_TIMEOUT)")
	fs.DurationVar(&o.ttl, "ttl", envDuration("PODGUARD_E2E_TTL", 2*time.Hour),
		"tear the cluster down by itself after this time, in case nobody stops it (env PODGUARD_E2E_TTL; 0: never)")
	fs.IntVar(&o.watchPID, "watch-pid", envInt("PODGUARD_E2E_WATCH_PID", 0),
		"tear the cluster down as soon as this process is gone, e.g. the test JVM (env PODGUARD_E2E_WATCH_PID; 0: none)")
	fs.BoolVar(&o.serviceAccountAdmission, "service-account-admission",
		os.Getenv("PODGUARD_E2E_SERVICE_ACCOUNT_ADMISSION") == "true",
		"keep the ServiceAccount admission plugin; every namespace then needs its \"default\" ServiceAccount created by the test, since no controller makes it (env PODGUARD_E2E_SERVICE_ACCOUNT_ADMISSION=true)")
	fs.BoolVar(&o.podSecurityAdmission, "pod-security-admission",
		os.Getenv("PODGUARD_E2E_POD_SECURITY_ADMISSION") == "true",
		"keep kube-apiserver's built-in PodSecurity admission plugin on (configure it with --apiserver-arg=--admission-control-config-file=FILE), to compare podguard with Pod Security Admission (env PODGUARD_E2E_POD_SECURITY_ADMISSION=true)")
	fs.Var(&o.extraAPIServerArgs, "apiserver-arg",
		"extra kube-apiserver flag, e.g. --apiserver-arg=--feature-gates=Foo=true; repeatable; overrides the defaults (env PODGUARD_E2E_APISERVER_ARGS, space-separated)")
	fs.IntVar(&o.apiserverVerbosity, "apiserver-v", envInt("PODGUARD_E2E_APISERVER_V", 1), "kube-apiserver log verbosity (env PODGUARD_E2E_APISERVER_V)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if env := strings.Fields(os.Getenv("PODGUARD_E2E_APISERVER_ARGS")); len(env) > 0 {
		o.extraAPIServerArgs = append(env, o.extraAPIServerArgs...)
	}

	dir, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e-cluster: %v\n", err)
		return 1
	}
	if err := start(dir, self, o); err != nil {
		fmt.Fprintf(os.Stderr, "e2e-cluster: start failed: %v\n", err)
		return 1
	}
	return 0
}

func start(dir, self string, o startOptions) error {
	// cluster.env is read by shells and by Java as KEY=VALUE lines without
	// quoting, so the paths in it must not need any.
	if strings.ContainsAny(dir, " \t\n\"'$\\`") {
		return fmt.Errorf("work directory %q: must not contain whitespace, quotes, '$', '`' or '\\'", dir)
	}
	l := layout{Dir: dir}
	for _, bin := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(o.binDir, bin)); err != nil {
			return fmt.Errorf("%s not found in %s: build it with src/test/cluster/build.sh", bin, o.binDir)
		}
	}
	if pid, err := readPID(l.pidFile(procSupervisor)); err == nil && processAlive(pid) {
		return fmt.Errorf("a cluster is already running in %s (supervisor pid %d): stop it with stop-cluster.sh first", dir, pid)
	}
	if err := prepareWorkDir(l); err != nil {
		return err
	}

	caPEM, err := writePKI(l)
	if err != nil {
		return err
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(l.path("auth"), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(l.tokenFile(),
		[]byte(fmt.Sprintf("%s,%s,%s,\"system:masters\"\n", token, adminUser, adminUser)), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(l.adminToken(), []byte(token+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(l.auditPolicy(), []byte(auditPolicy), 0o644); err != nil {
		return err
	}

	// A port picked here can be taken by someone else before the apiserver
	// binds it; that one case is worth a fresh try with new ports.
	var lastErr error
	for attempt := 1; attempt <= portAttempts; attempt++ {
		ports, err := freePorts(3)
		if err != nil {
			return err
		}
		if attempt > 1 {
			// A fresh etcd: the failed one may have written its member
			// data with the old ports.
			if err := resetRuntimeState(l); err != nil {
				return err
			}
		}
		cfg := buildConfig(l, o, ports[0], ports[1], ports[2])
		lastErr = launch(l, self, cfg, caPEM, token)
		if lastErr == nil {
			return nil
		}
		if !errors.Is(lastErr, errPortTaken) || attempt == portAttempts {
			break
		}
		fmt.Fprintf(os.Stderr, "e2e-cluster: a port was taken (attempt %d of %d), trying new ports\n", attempt, portAttempts)
	}
	return lastErr
}

// prepareWorkDir removes what a previous cluster in the same directory left,
// so that the logs, the audit log and etcd hold only this cluster's data.
func prepareWorkDir(l layout) error {
	if err := os.RemoveAll(l.logDir()); err != nil {
		return err
	}
	for _, d := range []string{l.Dir, l.logDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return resetRuntimeState(l)
}

// resetRuntimeState removes etcd's data, the pid files and the files that
// describe a running cluster.
func resetRuntimeState(l layout) error {
	for _, p := range []string{l.etcdData(), l.pidDir(), l.clusterEnv(), l.kubeconfig(), l.configFile(), l.auditLog()} {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(l.pidDir(), 0o755); err != nil {
		return err
	}
	return os.MkdirAll(l.etcdData(), 0o700)
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, ln := range listeners {
			ln.Close()
		}
	}()
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free loopback port: %w", err)
		}
		listeners = append(listeners, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func buildConfig(l layout, o startOptions, etcdClientPort, etcdPeerPort, apiserverPort int) clusterConfig {
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", etcdClientPort)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPeerPort)
	etcdArgs := []string{
		"--name=" + etcdMemberName,
		"--data-dir=" + l.etcdData(),
		"--listen-client-urls=" + etcdURL,
		"--advertise-client-urls=" + etcdURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=" + etcdMemberName + "=" + peerURL,
		"--initial-cluster-state=new",
		// Test data: durability is not worth the fsync latency.
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}

	enable := []string{"NamespaceLifecycle", "LimitRanger", "DefaultTolerationSeconds",
		"MutatingAdmissionWebhook", "ValidatingAdmissionWebhook", "ResourceQuota"}
	// PodSecurity is off so that podguard alone judges pods, unless a test compares podguard with it.
	var disable []string
	if o.podSecurityAdmission {
		enable = append(enable, "PodSecurity")
	} else {
		disable = append(disable, "PodSecurity")
	}
	if o.serviceAccountAdmission {
		enable = append(enable, "ServiceAccount")
	} else {
		// Without a controller manager nobody creates the "default"
		// ServiceAccount of a namespace, and this plugin would refuse every pod.
		disable = append(disable, "ServiceAccount")
	}

	apiserverArgs := []string{
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiserverPort),
		"--tls-cert-file=" + l.servingCert(),
		"--tls-private-key-file=" + l.servingKey(),
		"--client-ca-file=" + l.caCert(),
		"--etcd-servers=" + etcdURL,
		"--service-cluster-ip-range=" + serviceClusterIPRange,
		// The loopback address cannot be published as the endpoint of the
		// "kubernetes" Service (upstream's own test server does the same).
		"--endpoint-reconciler-type=none",
		"--service-account-issuer=" + serviceAccountIssuer,
		"--service-account-key-file=" + l.saPub(),
		"--service-account-signing-key-file=" + l.saKey(),
		"--token-auth-file=" + l.tokenFile(),
		"--authorization-mode=RBAC",
		// Privileged pods must reach admission: judging them is podguard's job.
		"--allow-privileged=true",
		"--enable-admission-plugins=" + strings.Join(enable, ","),
		"--audit-policy-file=" + l.auditPolicy(),
		"--audit-log-path=" + l.auditLog(),
		"--audit-log-format=json",
		// Every event is on disk before the response is sent, so a test can
		// read the audit log right after its request returns.
		"--audit-log-mode=blocking",
		"--audit-log-maxbackup=0",
		"--profiling=false",
		fmt.Sprintf("--v=%d", o.apiserverVerbosity),
	}
	if len(disable) > 0 {
		apiserverArgs = append(apiserverArgs, "--disable-admission-plugins="+strings.Join(disable, ","))
	}
	apiserverArgs = append(apiserverArgs, o.extraAPIServerArgs...)

	return clusterConfig{
		WorkDir:       l.Dir,
		EtcdBinary:    filepath.Join(o.binDir, "etcd"),
		EtcdArgs:      etcdArgs,
		EtcdURL:       etcdURL,
		APIServerBin:  filepath.Join(o.binDir, "kube-apiserver"),
		APIServerArgs: apiserverArgs,
		APIServerURL:  fmt.Sprintf("https://127.0.0.1:%d", apiserverPort),
		StartTimeout:  o.timeout,
		TTL:           o.ttl,
		WatchPID:      o.watchPID,
	}
}

var errPortTaken = errors.New("port already in use")

// launch starts the supervisor in its own session and waits until the API
// answers. On failure everything it started is gone again when it returns.
func launch(l layout, self string, cfg clusterConfig, caPEM []byte, token string) error {
	if err := cfg.save(l.configFile()); err != nil {
		return err
	}
	if err := writeKubeconfig(l, cfg.APIServerURL, caPEM, token); err != nil {
		return err
	}
	logf, err := os.OpenFile(l.supervisorLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()

	cmd := exec.Command(self, "supervise", l.Dir)
	cmd.Dir = l.Dir
	cmd.Env = childEnv()
	cmd.Stdin = nil // /dev/null
	// Only the log file is inherited: a caller that reads this program's
	// output (a JUnit test, `$(...)` in a shell) sees end-of-file as soon as
	// start returns, not when the cluster stops.
	cmd.Stdout = logf
	cmd.Stderr = logf
	// Its own session and process group: signals to the caller's group (a
	// Ctrl-C in the terminal that ran start) do not reach it, and
	// stop-cluster.sh can signal the whole group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the supervisor: %w", err)
	}
	supervisorPID := cmd.Process.Pid
	if err := writePID(l.pidFile(procSupervisor), supervisorPID); err != nil {
		killGroup(supervisorPID)
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	fail := func(reason error) error {
		killGroup(supervisorPID)
		report := fmt.Sprintf("%v\n--- %s (last 40 lines) ---\n%s\n--- %s (last 20 lines) ---\n%s\n--- %s ---\n%s",
			reason,
			l.apiserverLog(), tail(l.apiserverLog(), 40),
			l.etcdLog(), tail(l.etcdLog(), 20),
			l.supervisorLog(), tail(l.supervisorLog(), 20))
		if b, _ := os.ReadFile(l.apiserverLog()); strings.Contains(string(b), "address already in use") {
			return fmt.Errorf("%w: %s", errPortTaken, report)
		}
		if b, _ := os.ReadFile(l.etcdLog()); strings.Contains(string(b), "address already in use") {
			return fmt.Errorf("%w: %s", errPortTaken, report)
		}
		return errors.New(report)
	}

	client, err := adminClient(caPEM, token)
	if err != nil {
		return fail(err)
	}
	deadline := time.Now().Add(cfg.StartTimeout)
	lastProblem := "nothing answered yet"
	for {
		select {
		case err := <-exited:
			return fail(fmt.Errorf("the supervisor exited before the API was ready (%v)", err))
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("kube-apiserver not ready within %s: %s", cfg.StartTimeout, lastProblem))
		}
		// /readyz covers etcd, the RBAC bootstrap policy and the other
		// post-start hooks; the "default" namespace is made a moment later
		// by a controller, and tests may use it straight away.
		if problem := probe(client, cfg.APIServerURL+"/readyz"); problem != "" {
			lastProblem = "/readyz: " + problem
			continue
		}
		if problem := probe(client, cfg.APIServerURL+"/api/v1/namespaces/default"); problem != "" {
			lastProblem = "namespace default: " + problem
			continue
		}
		break
	}

	etcdPID, _ := readPID(l.pidFile(procEtcd))
	apiserverPID, _ := readPID(l.pidFile(procAPIServer))
	version := serverVersion(client, cfg.APIServerURL)
	env := []string{
		"WORKDIR=" + l.Dir,
		"APISERVER_URL=" + cfg.APIServerURL,
		"APISERVER_PORT=" + cfg.APIServerURL[strings.LastIndexByte(cfg.APIServerURL, ':')+1:],
		"KUBECONFIG=" + l.kubeconfig(),
		"ADMIN_TOKEN_FILE=" + l.adminToken(),
		"CA_CERT=" + l.caCert(),
		"AUDIT_LOG=" + l.auditLog(),
		"APISERVER_LOG=" + l.apiserverLog(),
		"ETCD_LOG=" + l.etcdLog(),
		"ETCD_URL=" + cfg.EtcdURL,
		"KUBERNETES_VERSION=" + version,
		"ETCD_PID=" + strconv.Itoa(etcdPID),
		"APISERVER_PID=" + strconv.Itoa(apiserverPID),
		"SUPERVISOR_PID=" + strconv.Itoa(supervisorPID),
	}
	content := strings.Join(env, "\n") + "\n"
	if err := writeFileAtomic(l.clusterEnv(), []byte(content), 0o644); err != nil {
		return fail(err)
	}
	fmt.Print(content)
	return nil
}

// childEnv is this environment without proxy settings: the apiserver calls
// podguard's webhook on loopback and must never route that through a proxy.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name := strings.ToUpper(kv[:strings.IndexByte(kv, '=')+1])
		switch name {
		case "HTTP_PROXY=", "HTTPS_PROXY=", "ALL_PROXY=", "NO_PROXY=":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// killGroup ends the supervisor's process group: TERM, a grace period, KILL.
func killGroup(pgid int) {
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if !groupAlive(pgid) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	time.Sleep(200 * time.Millisecond)
}

// groupAlive reports whether any live (non-zombie) process is in the group.
func groupAlive(pgid int) bool {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return syscall.Kill(-pgid, 0) == nil
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if g, err := syscall.Getpgid(pid); err == nil && g == pgid && processAlive(pid) {
			return true
		}
	}
	return false
}

func adminClient(caPEM []byte, token string) (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("cannot parse the cluster CA")
	}
	return &http.Client{
		Timeout: 3 * time.Second,
		Transport: &bearerTransport{token: token, base: &http.Transport{
			Proxy:           nil,
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		}},
	}, nil
}

type bearerTransport struct {
	token string
	base  http.RoundTripper
}

func (t *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return t.base.RoundTrip(r)
}

// probe returns "" when url answers 200, else what went wrong.
func probe(c *http.Client, url string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		// A failing /readyz lists every check; the failing ones ("[-]...")
		// are the ones worth reporting.
		var failed []string
		for _, line := range strings.Split(string(body), "\n") {
			if strings.HasPrefix(line, "[-]") {
				failed = append(failed, line)
			}
		}
		if len(failed) > 0 {
			return fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.Join(failed, "; "))
		}
		return fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return ""
}

func serverVersion(c *http.Client, base string) string {
	resp, err := c.Get(base + "/version")
	if err != nil {
		return "unknown"
	}
	defer resp.Body.Close()
	var v struct {
		GitVersion string `json:"gitVersion"`
	}
	if json.NewDecoder(resp.Body).Decode(&v) != nil || v.GitVersion == "" {
		return "unknown"
	}
	return v.GitVersion
}

func writeKubeconfig(l layout, server string, caPEM []byte, token string) error {
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: podguard-e2e
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    token: %s
contexts:
- name: podguard-e2e
  context:
    cluster: podguard-e2e
    user: %s
    namespace: default
current-context: podguard-e2e
`, server, base64.StdEncoding.EncodeToString(caPEM), adminUser, token, adminUser)
	return writeFileAtomic(l.kubeconfig(), []byte(kc), 0o600)
}

// auditPolicy logs writes of pods and workloads with request and response
// bodies, so a test sees what podguard patched, and everything else at
// Metadata level. Every level from Metadata up carries the admission
// annotations (podguard's auditAnnotations, the mutation and validation
// webhook annotations).
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  # Probes, the apiserver's own requests and leases are noise for podguard's tests.
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
  - level: None
    users: ["system:apiserver"]
  - level: None
    resources:
      - group: coordination.k8s.io
        resources: ["leases"]
  - level: RequestResponse
    verbs: ["create", "update", "patch"]
    resources:
      - group: ""
        resources: ["pods", "pods/ephemeralcontainers"]
      - group: apps
        resources: ["deployments", "statefulsets", "daemonsets", "replicasets"]
      - group: batch
        resources: ["jobs", "cronjobs"]
  - level: Metadata
`
