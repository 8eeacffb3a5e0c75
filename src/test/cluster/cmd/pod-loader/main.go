// pod-loader fills a cluster with pods for podguard's scale benchmark
// (bench/scale.sh): NAMESPACES namespaces of PODS pods each, one in every
// VIOLATING of them privileged (so 1/VIOLATING of them break the baseline
// Pod Security Standard), created through the API by WORKERS goroutines at once.
// No kubelet runs in the benchmark's cluster: the pods stay Pending, which is
// all an audit needs.
//
// Usage:
//
//	pod-loader -kubeconfig FILE [-namespaces 1000] [-pods 100] [-violating 10] [-workers 32] [-prefix scale]
//
// It prints one JSON line when done: {"namespaces":…,"pods":…,"violating":…,"seconds":…,"podsPerSecond":…}.
// Namespaces and pods that exist already are left as they are, so a second run
// tops up what an interrupted one left.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

type job struct {
	namespace string
	index     int
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster")
	namespaces := flag.Int("namespaces", 1000, "namespaces to fill")
	pods := flag.Int("pods", 100, "pods per namespace")
	violating := flag.Int("violating", 10, "one pod in this many is privileged (0: none)")
	workers := flag.Int("workers", 32, "creates in flight")
	prefix := flag.String("prefix", "scale", "namespace name prefix")
	flag.Parse()

	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail("kubeconfig: %v", err)
	}
	// The client's own rate limit would make this a benchmark of the limiter.
	config.QPS = -1
	config.UserAgent = "pod-loader"
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		fail("client: %v", err)
	}
	ctx := context.Background()
	start := time.Now()

	for n := 0; n < *namespaces; n++ {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name(*prefix, n), Labels: map[string]string{"podguard-bench": "scale"}}}
		if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			fail("namespace %s: %v", ns.Name, err)
		}
	}

	jobs := make(chan job, *workers*4)
	var created, existed, bad atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				privileged := *violating > 0 && j.index%*violating == 0
				if privileged {
					bad.Add(1)
				}
				_, err := client.CoreV1().Pods(j.namespace).Create(ctx, pod(j.namespace, j.index, privileged), metav1.CreateOptions{})
				switch {
				case err == nil:
					created.Add(1)
				case apierrors.IsAlreadyExists(err):
					existed.Add(1)
				default:
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s/%d: %v", j.namespace, j.index, err))
				}
			}
		}()
	}
	for n := 0; n < *namespaces; n++ {
		for i := 0; i < *pods; i++ {
			jobs <- job{name(*prefix, n), i}
		}
	}
	close(jobs)
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		fail("create failed: %s", e)
	}
	seconds := time.Since(start).Seconds()
	out, _ := json.Marshal(map[string]any{
		"namespaces": *namespaces, "pods": created.Load() + existed.Load(), "created": created.Load(), "existed": existed.Load(),
		"violating": bad.Load(), "seconds": seconds, "podsPerSecond": float64(created.Load()) / seconds,
	})
	fmt.Println(string(out))
}

func name(prefix string, n int) string {
	return fmt.Sprintf("%s-%04d", prefix, n)
}

// pod is a Deployment's pod as such pods look when they are stored: an owner,
// labels, one container with resources, probes and a restricted-compliant
// security context, or, for the violating ones, a privileged one.
func pod(namespace string, i int, privileged bool) *corev1.Pod {
	isController := true
	falseValue, trueValue := false, true
	uid := int64(10001)
	security := &corev1.SecurityContext{
		AllowPrivilegeEscalation: &falseValue,
		RunAsNonRoot:             &trueValue,
		RunAsUser:                &uid,
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	if privileged {
		security = &corev1.SecurityContext{Privileged: &trueValue}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:      fmt.Sprintf("web-7d9f8c6b5-%05d", i),
			Namespace: namespace,
			Labels:    map[string]string{"app.kubernetes.io/name": "web", "pod-template-hash": "7d9f8c6b5"},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-7d9f8c6b5", UID: "6f1c2d3e-0000-4000-8000-000000000001", Controller: &isController,
			}},
		},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:  "app",
				Image: "registry.example/web:1.4.2",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				Env:   []corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}},
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
					Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
				},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}},
				SecurityContext: security,
			}},
		},
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pod-loader: "+format+"\n", args...)
	os.Exit(1)
}
