// Command e2e-cluster runs a throw-away Kubernetes control plane (etcd and
// kube-apiserver, no kubelet, no controllers) on loopback for podguard's
// end-to-end tests.
//
//	e2e-cluster start [flags] WORKDIR   generate certificates and configuration,
//	                                    start etcd and kube-apiserver in the
//	                                    background, wait until the API is
//	                                    ready, write WORKDIR/kubeconfig and
//	                                    WORKDIR/cluster.env, exit 0
//	e2e-cluster supervise WORKDIR       (internal) the background process that
//	                                    owns etcd and kube-apiserver
//
// Stopping is done by stop-cluster.sh, which needs nothing but bash, so that a
// cluster can be torn down even when this binary is gone.
package main

import (
	"fmt"
	"os"
)

const usage = `usage:
  e2e-cluster start [flags] WORKDIR
  e2e-cluster supervise WORKDIR

Run "e2e-cluster start -h" for the flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "start":
		os.Exit(runStart(os.Args[2:]))
	case "supervise":
		if len(os.Args) != 3 {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(runSupervise(os.Args[2]))
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "e2e-cluster: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}
