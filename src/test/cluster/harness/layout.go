package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// layout names every file of a cluster's work directory. stop-cluster.sh and
// the Java tests rely on these names; keep them stable.
type layout struct {
	Dir string
}

func (l layout) path(parts ...string) string {
	return filepath.Join(append([]string{l.Dir}, parts...)...)
}

func (l layout) pkiDir() string          { return l.path("pki") }
func (l layout) caCert() string          { return l.path("pki", "ca.crt") }
func (l layout) caKey() string           { return l.path("pki", "ca.key") }
func (l layout) servingCert() string     { return l.path("pki", "apiserver.crt") }
func (l layout) servingKey() string      { return l.path("pki", "apiserver.key") }
func (l layout) saKey() string           { return l.path("pki", "service-account.key") }
func (l layout) saPub() string           { return l.path("pki", "service-account.pub") }
func (l layout) tokenFile() string       { return l.path("auth", "tokens.csv") }
func (l layout) adminToken() string      { return l.path("auth", "admin.token") }
func (l layout) auditPolicy() string     { return l.path("audit-policy.yaml") }
func (l layout) etcdData() string        { return l.path("etcd-data") }
func (l layout) logDir() string          { return l.path("logs") }
func (l layout) auditLog() string        { return l.path("logs", "audit.log") }
func (l layout) etcdLog() string         { return l.path("logs", "etcd.log") }
func (l layout) apiserverLog() string    { return l.path("logs", "kube-apiserver.log") }
func (l layout) supervisorLog() string   { return l.path("logs", "supervisor.log") }
func (l layout) pidDir() string          { return l.path("pids") }
func (l layout) pidFile(n string) string { return l.path("pids", n+".pid") }
func (l layout) kubeconfig() string      { return l.path("kubeconfig") }
func (l layout) clusterEnv() string      { return l.path("cluster.env") }
func (l layout) configFile() string      { return l.path("cluster.json") }

// Process names, used for pid files.
const (
	procSupervisor = "supervisor"
	procEtcd       = "etcd"
	procAPIServer  = "kube-apiserver"
)

// clusterConfig is what "start" decides and "supervise" carries out. It is
// written to WORKDIR/cluster.json.
type clusterConfig struct {
	WorkDir       string        `json:"workDir"`
	EtcdBinary    string        `json:"etcdBinary"`
	EtcdArgs      []string      `json:"etcdArgs"`
	EtcdURL       string        `json:"etcdURL"`
	APIServerBin  string        `json:"apiserverBinary"`
	APIServerArgs []string      `json:"apiserverArgs"`
	APIServerURL  string        `json:"apiserverURL"`
	StartTimeout  time.Duration `json:"startTimeout"`
	TTL           time.Duration `json:"ttl"`
	WatchPID      int           `json:"watchPID"`
}

func (c clusterConfig) save(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'), 0o644)
}

func loadConfig(path string) (clusterConfig, error) {
	var c clusterConfig
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// writeFileAtomic writes through a temporary file and a rename, so that a
// reader (a test polling cluster.env, stop-cluster.sh reading a pid file)
// never sees half a file. Each writer has its own temporary file: the start
// command and the supervisor it spawned both write the supervisor's pid file,
// and a shared temporary name let one rename the other's file away.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, perm)
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		_ = os.Remove(tmp)
	}
	return werr
}

func writePID(path string, pid int) error {
	return writeFileAtomic(path, []byte(strconv.Itoa(pid)+"\n"), 0o644)
}

func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// processAlive reports whether pid names a live process. A zombie (exited,
// not yet reaped, as happens under a PID 1 that does not reap orphans) counts
// as dead.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state is the field after the parenthesised command name.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return false
	}
	state := s[i+2]
	return state != 'Z' && state != 'X'
}

// tail returns the last n lines of a file, for error reports.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
