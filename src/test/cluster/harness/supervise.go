package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// The supervisor is the one long-lived process of a cluster: it starts etcd,
// then kube-apiserver, as its children, and stops both, apiserver first,
// when it is told to (SIGTERM, SIGINT, SIGHUP), when either child dies, when
// the watched process (the test JVM) is gone, or when the TTL runs out. Its
// children also get SIGKILL from the kernel should the supervisor itself be
// killed, so a cluster never outlives it.

type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func startChild(name, bin string, args []string, logPath, dir string) (*child, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own copy
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// stop sends SIGTERM, waits for a graceful exit, then SIGKILL.
func (c *child) stop(logger *log.Logger, grace time.Duration) {
	if c == nil || c.exited() {
		return
	}
	logger.Printf("stopping %s (pid %d)", c.name, c.cmd.Process.Pid)
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		logger.Printf("%s stopped (%v)", c.name, c.err)
		return
	case <-time.After(grace):
	}
	logger.Printf("%s did not stop within %s: killing it", c.name, grace)
	_ = c.cmd.Process.Kill()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		logger.Printf("%s (pid %d) still there after SIGKILL", c.name, c.cmd.Process.Pid)
	}
}

func runSupervise(dir string) int {
	// Pdeathsig fires when the OS thread that started the child exits, not
	// the process; pin the goroutine that starts children to one thread that
	// lives as long as the process.
	runtime.LockOSThread()

	logger := log.New(os.Stdout, "supervisor: ", log.LstdFlags|log.Lmicroseconds)
	l := layout{Dir: dir}
	cfg, err := loadConfig(l.configFile())
	if err != nil {
		logger.Printf("cannot read the configuration: %v", err)
		return 1
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if err := writePID(l.pidFile(procSupervisor), os.Getpid()); err != nil {
		logger.Printf("%v", err)
		return 1
	}

	var etcd, apiserver *child
	shutdown := func(code int) int {
		apiserver.stop(logger, 20*time.Second)
		etcd.stop(logger, 10*time.Second)
		for _, p := range []string{procAPIServer, procEtcd, procSupervisor} {
			_ = os.Remove(l.pidFile(p))
		}
		// cluster.env exists exactly while the cluster runs.
		_ = os.Remove(l.clusterEnv())
		logger.Printf("exiting with status %d", code)
		return code
	}

	logger.Printf("starting etcd at %s", cfg.EtcdURL)
	etcd, err = startChild(procEtcd, cfg.EtcdBinary, cfg.EtcdArgs, l.etcdLog(), dir)
	if err != nil {
		logger.Printf("%v", err)
		return shutdown(1)
	}
	if err := writePID(l.pidFile(procEtcd), etcd.cmd.Process.Pid); err != nil {
		logger.Printf("%v", err)
		return shutdown(1)
	}

	// kube-apiserver gives up quickly on an etcd that is not there yet, so
	// start it only once etcd reports healthy.
	deadline := time.After(cfg.StartTimeout)
	tick := time.NewTicker(100 * time.Millisecond)
	for healthy := false; !healthy; {
		select {
		case s := <-sigs:
			logger.Printf("got %v while waiting for etcd", s)
			return shutdown(0)
		case <-etcd.done:
			logger.Printf("etcd exited before it was healthy: %v", etcd.err)
			return shutdown(1)
		case <-deadline:
			logger.Printf("etcd not healthy within %s", cfg.StartTimeout)
			return shutdown(1)
		case <-tick.C:
			healthy = etcdHealthy(cfg.EtcdURL)
		}
	}
	tick.Stop()
	logger.Printf("etcd is healthy (pid %d)", etcd.cmd.Process.Pid)

	logger.Printf("starting kube-apiserver at %s", cfg.APIServerURL)
	apiserver, err = startChild(procAPIServer, cfg.APIServerBin, cfg.APIServerArgs, l.apiserverLog(), dir)
	if err != nil {
		logger.Printf("%v", err)
		return shutdown(1)
	}
	if err := writePID(l.pidFile(procAPIServer), apiserver.cmd.Process.Pid); err != nil {
		logger.Printf("%v", err)
		return shutdown(1)
	}

	var ttl <-chan time.Time
	if cfg.TTL > 0 {
		ttl = time.After(cfg.TTL)
	}
	watch := time.NewTicker(time.Second)
	defer watch.Stop()
	if cfg.WatchPID > 0 {
		logger.Printf("will stop when pid %d is gone", cfg.WatchPID)
	}
	for {
		select {
		case s := <-sigs:
			logger.Printf("got %v: stopping the cluster", s)
			return shutdown(0)
		case <-etcd.done:
			logger.Printf("etcd exited unexpectedly: %v", etcd.err)
			return shutdown(1)
		case <-apiserver.done:
			logger.Printf("kube-apiserver exited unexpectedly: %v", apiserver.err)
			return shutdown(1)
		case <-ttl:
			logger.Printf("TTL of %s reached: stopping the cluster", cfg.TTL)
			return shutdown(0)
		case <-watch.C:
			if cfg.WatchPID > 0 && !processAlive(cfg.WatchPID) {
				logger.Printf("watched pid %d is gone: stopping the cluster", cfg.WatchPID)
				return shutdown(0)
			}
		}
	}
}

func etcdHealthy(base string) bool {
	c := http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}}
	resp, err := c.Get(base + "/health")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	return resp.StatusCode == http.StatusOK && strings.Contains(string(b), `"health":"true"`)
}
