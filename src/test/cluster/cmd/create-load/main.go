// create-load is the load generator of podguard's end-to-end benchmark (bench/apiserver.sh): it
// creates pods through a real kube-apiserver with client-go, at a fixed rate (open loop) or as
// fast as a number of workers can (closed loop, saturation), and prints what it measured as one
// JSON object. It also prepares the cluster for the benchmark: a namespace per configuration,
// the webhook configurations, a probe that each configuration enforces what it should, and
// removing the pods a run created (there is no kubelet: pods stay Pending until deleted).
//
//	create-load setup -kubeconfig K -podguard-manifests F -podguard-url U -podguard-ca F \
//	              -upstream-manifest F -upstream-url U -upstream-ca F
//	create-load probe -kubeconfig K -namespace N -expect allowed|denied [-timeout 60s]
//	create-load load  -kubeconfig K -namespace N -pod F -prefix P -duration 10s (-rate R | -workers W)
//	create-load clean -kubeconfig K -namespace N
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
)

// The namespaces of the benchmark, one per configuration, labelled with configLabel=<name>.
// Each webhook configuration selects only its own namespace (one more term in its
// namespaceSelector); the built-in PodSecurity plugin exempts every namespace but its own.
var namespaces = []string{"bench-none", "bench-podguard", "bench-upstream", "bench-psa"}

const configLabel = "bench.podguard.io/config"

func main() {
	if len(os.Args) < 2 {
		fail("usage: create-load setup|probe|load|clean [flags]")
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster")
	namespace := fs.String("namespace", "", "namespace")
	switch cmd {
	case "setup":
		pgManifests := fs.String("podguard-manifests", "", "`helm template` of charts/podguard (multi-document YAML)")
		pgURL := fs.String("podguard-url", "", "podguard's base URL, https://127.0.0.1:PORT")
		pgCA := fs.String("podguard-ca", "", "CA certificate (PEM) of podguard's serving certificate")
		upManifest := fs.String("upstream-manifest", "", "the upstream webhook's ValidatingWebhookConfiguration (its webhook/manifests/70-…yaml)")
		upURL := fs.String("upstream-url", "", "the upstream webhook's base URL")
		upCA := fs.String("upstream-ca", "", "CA certificate (PEM) of the upstream webhook's serving certificate")
		priorityClass := fs.String("priority-class", "shop-critical", "PriorityClass the benchmark pod names (the Priority plugin refuses a pod without it)")
		parse(fs, args)
		c := client(*kubeconfig, 0)
		setup(c, *pgManifests, *pgURL, read(*pgCA), *upManifest, *upURL, read(*upCA), *priorityClass)
	case "probe":
		expect := fs.String("expect", "denied", "allowed or denied")
		timeout := fs.Duration("timeout", 60*time.Second, "give up after")
		parse(fs, args)
		probe(client(*kubeconfig, 0), *namespace, *expect == "denied", *timeout)
	case "load":
		podFile := fs.String("pod", "", "the pod to create (JSON); its name and namespace are replaced")
		prefix := fs.String("prefix", "bench-", "pod name prefix (names are PREFIX<n>)")
		duration := fs.Duration("duration", 10*time.Second, "how long to create pods")
		rate := fs.Float64("rate", 0, "creates per second (open loop); 0: closed loop with -workers")
		workers := fs.Int("workers", 32, "closed loop: concurrent creates")
		inflight := fs.Int("max-in-flight", 1000, "open loop: at most this many creates in flight at once (one that waits for room counts as late)")
		parse(fs, args)
		pod := readPod(*podFile)
		if *rate > 0 {
			*workers = *inflight
		}
		result := load(client(*kubeconfig, *workers), *namespace, pod, *prefix, *duration, *rate, *workers)
		if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
			fail(err.Error())
		}
	case "clean":
		parse(fs, args)
		// Deleting tens of thousands of pods takes the apiserver longer than one create may take.
		c := clientWithTimeout(*kubeconfig, 10*time.Minute)
		clean(c, *namespace)
	default:
		fail("unknown command " + cmd)
	}
}

func parse(fs *flag.FlagSet, args []string) {
	if err := fs.Parse(args); err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "create-load: "+msg)
	os.Exit(2)
}

func read(path string) []byte {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		fail(err.Error())
	}
	return b
}

// warningCount counts responses that carried a Warning header, instead of printing them.
type warningCount struct{ n atomic.Int64 }

func (w *warningCount) HandleWarningHeader(code int, agent string, text string) { w.n.Add(1) }

var warnings = &warningCount{}

// client: no client-side rate limit (the benchmark sets the rate), warnings counted, not logged.
func client(kubeconfig string, workers int) *kubernetes.Clientset {
	return clientWithTimeout(kubeconfig, 30*time.Second)
}

func clientWithTimeout(kubeconfig string, timeout time.Duration) *kubernetes.Clientset {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		fail(err.Error())
	}
	cfg.QPS = -1
	cfg.WarningHandler = warnings
	cfg.Timeout = timeout
	cfg.UserAgent = "podguard-bench/create-load"
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fail(err.Error())
	}
	return c
}

func readPod(path string) *corev1.Pod {
	b := read(path)
	pod := &corev1.Pod{}
	if err := json.Unmarshal(b, pod); err != nil {
		fail(path + ": " + err.Error())
	}
	pod.Name, pod.GenerateName, pod.Namespace, pod.UID, pod.ResourceVersion = "", "", "", "", ""
	return pod
}

// ---------------------------------------------------------------------------------------------
// setup

func setup(c *kubernetes.Clientset, pgManifests, pgURL string, pgCA []byte, upManifest, upURL string, upCA []byte, priorityClass string) {
	ctx := context.Background()
	for _, name := range namespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name,
			Labels: map[string]string{configLabel: strings.TrimPrefix(name, "bench-")}}}
		if _, err := c.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			fail(err.Error())
		}
	}
	if priorityClass != "" {
		pc := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: priorityClass}, Value: 1000}
		if _, err := c.SchedulingV1().PriorityClasses().Create(ctx, pc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			fail(err.Error())
		}
	}
	if pgManifests != "" {
		register(ctx, c, decode(pgManifests), pgURL, pgCA, "podguard")
	}
	if upManifest != "" {
		register(ctx, c, decode(upManifest), upURL, upCA, "upstream")
	}
}

// decode reads the admission webhook configurations of a multi-document YAML file.
func decode(path string) []runtime.Object {
	f, err := os.Open(path)
	if err != nil {
		fail(err.Error())
	}
	defer f.Close()
	codecs := serializer.NewCodecFactory(scheme.Scheme)
	reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var out []runtime.Object
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(path + ": " + err.Error())
		}
		if strings.TrimSpace(string(doc)) == "" {
			continue
		}
		obj, _, err := codecs.UniversalDeserializer().Decode(doc, nil, nil)
		if err != nil {
			continue // not a built-in kind (none of the chart's objects that matter here)
		}
		switch obj.(type) {
		case *admissionv1.MutatingWebhookConfiguration, *admissionv1.ValidatingWebhookConfiguration:
			out = append(out, obj)
		}
	}
	if len(out) == 0 {
		fail(path + " holds no webhook configuration")
	}
	return out
}

// register creates the configurations as rendered, with each webhook's service reference
// replaced by the URL on loopback (same path) and the CA, and the namespace selector narrowed to
// the benchmark's namespace of this configuration.
func register(ctx context.Context, c *kubernetes.Clientset, objs []runtime.Object, baseURL string, ca []byte, config string) {
	clientConfig := func(cc admissionv1.WebhookClientConfig) admissionv1.WebhookClientConfig {
		path := ""
		if cc.Service != nil && cc.Service.Path != nil {
			path = *cc.Service.Path
		}
		url := baseURL + path
		return admissionv1.WebhookClientConfig{URL: &url, CABundle: ca}
	}
	selector := func(s *metav1.LabelSelector) *metav1.LabelSelector {
		if s == nil {
			s = &metav1.LabelSelector{}
		}
		if s.MatchLabels == nil {
			s.MatchLabels = map[string]string{}
		}
		s.MatchLabels[configLabel] = config
		return s
	}
	for _, obj := range objs {
		switch o := obj.(type) {
		case *admissionv1.MutatingWebhookConfiguration:
			for i := range o.Webhooks {
				o.Webhooks[i].ClientConfig = clientConfig(o.Webhooks[i].ClientConfig)
				o.Webhooks[i].NamespaceSelector = selector(o.Webhooks[i].NamespaceSelector)
			}
			_ = c.AdmissionregistrationV1().MutatingWebhookConfigurations().Delete(ctx, o.Name, metav1.DeleteOptions{})
			if _, err := c.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, o, metav1.CreateOptions{}); err != nil {
				fail(err.Error())
			}
			fmt.Fprintf(os.Stderr, "create-load: registered MutatingWebhookConfiguration %s (%d webhooks) for %s\n", o.Name, len(o.Webhooks), config)
		case *admissionv1.ValidatingWebhookConfiguration:
			for i := range o.Webhooks {
				o.Webhooks[i].ClientConfig = clientConfig(o.Webhooks[i].ClientConfig)
				o.Webhooks[i].NamespaceSelector = selector(o.Webhooks[i].NamespaceSelector)
			}
			_ = c.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(ctx, o.Name, metav1.DeleteOptions{})
			if _, err := c.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, o, metav1.CreateOptions{}); err != nil {
				fail(err.Error())
			}
			fmt.Fprintf(os.Stderr, "create-load: registered ValidatingWebhookConfiguration %s (%d webhooks) for %s\n", o.Name, len(o.Webhooks), config)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// probe

// probe dry-runs a privileged pod (which baseline forbids) until the answer is the expected one:
// webhook configurations take effect a moment after they are stored.
func probe(c *kubernetes.Clientset, namespace string, denied bool, timeout time.Duration) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "probe-privileged", Namespace: namespace},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example.com/probe:1",
			SecurityContext: &corev1.SecurityContext{Privileged: ptr(true)}}}},
	}
	deadline := time.Now().Add(timeout)
	for {
		_, err := c.CoreV1().Pods(namespace).Create(context.Background(), pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if denied && err != nil && apierrors.IsForbidden(err) || !denied && err == nil {
			msg := "allowed"
			if err != nil {
				msg = err.Error()
			}
			fmt.Printf("%s: %s\n", namespace, msg)
			return
		}
		if time.Now().After(deadline) {
			fail(fmt.Sprintf("%s: a privileged pod is not %s after %s (last answer: %v)", namespace, map[bool]string{true: "denied", false: "allowed"}[denied], timeout, err))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }

// ---------------------------------------------------------------------------------------------
// load

type result struct {
	Namespace     string             `json:"namespace"`
	Mode          string             `json:"mode"`
	TargetRate    float64            `json:"target_rate,omitempty"`
	Workers       int                `json:"workers"`
	DurationS     float64            `json:"duration_s"`
	Requests      int                `json:"requests"`
	Created       int                `json:"created"`
	Errors        int                `json:"errors"`
	ErrorSamples  []string           `json:"error_samples,omitempty"`
	Late          int                `json:"late"`
	Warnings      int64              `json:"warnings"`
	CreatesPerSec float64            `json:"creates_per_s"`
	LatencyMs     map[string]float64 `json:"latency_ms"`
}

// load creates pods for the duration. Open loop (rate > 0): the n-th create is due at
// start + n/rate whatever happened to the others, and its latency counts from when it was due
// (so a stalled server is not hidden by a stalled generator); at most `workers` are in flight,
// and a create that had to wait for a free slot counts as late. Closed loop: `workers`
// goroutines create back to back.
func load(c *kubernetes.Clientset, namespace string, template *corev1.Pod, prefix string, duration time.Duration, rate float64, workers int) result {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
		samples   []string
		seq       atomic.Int64
		late      int
	)
	create := func(due time.Time) {
		n := seq.Add(1)
		pod := template.DeepCopy()
		pod.Name = fmt.Sprintf("%s%d", prefix, n)
		_, err := c.CoreV1().Pods(namespace).Create(context.Background(), pod, metav1.CreateOptions{})
		took := time.Since(due)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs++
			if len(samples) < 3 {
				samples = append(samples, err.Error())
			}
			return
		}
		latencies = append(latencies, took)
	}
	warnings.n.Store(0)
	start := time.Now()
	end := start.Add(duration)
	var wg sync.WaitGroup
	mode := "saturation"
	if rate > 0 {
		mode = "fixed-rate"
		slots := make(chan struct{}, workers)
		interval := time.Duration(float64(time.Second) / rate)
		for i := 0; ; i++ {
			due := start.Add(time.Duration(i) * interval)
			if !due.Before(end) {
				break
			}
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
			select {
			case slots <- struct{}{}:
			default:
				late++
				slots <- struct{}{}
			}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				create(due)
			}()
		}
	} else {
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					create(time.Now())
				}
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	if rate > 0 {
		// The open loop's throughput is the offered rate when it keeps up; count over the
		// scheduled window, not the drain of the last creates.
		elapsed = duration
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		i := int(p*float64(len(latencies))+0.5) - 1
		i = max(0, min(i, len(latencies)-1))
		return ms(latencies[i])
	}
	var sum time.Duration
	for _, l := range latencies {
		sum += l
	}
	mean := 0.0
	if len(latencies) > 0 {
		mean = ms(sum / time.Duration(len(latencies)))
	}
	return result{
		Namespace: namespace, Mode: mode, TargetRate: rate, Workers: workers,
		DurationS: elapsed.Seconds(), Requests: len(latencies) + errs, Created: len(latencies),
		Errors: errs, ErrorSamples: samples, Late: late, Warnings: warnings.n.Load(),
		CreatesPerSec: float64(len(latencies)) / elapsed.Seconds(),
		LatencyMs: map[string]float64{"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99),
			"max": pct(1.0), "mean": mean},
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// ---------------------------------------------------------------------------------------------
// clean

// clean deletes every pod of the namespace (unscheduled pods go at once) and waits until none is left.
func clean(c *kubernetes.Clientset, namespace string) {
	ctx := context.Background()
	zero := int64(0)
	if err := c.CoreV1().Pods(namespace).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{}); err != nil {
		fail(err.Error())
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		list, err := c.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{Limit: 1})
		if err != nil {
			fail(err.Error())
		}
		if len(list.Items) == 0 {
			return
		}
		if time.Now().After(deadline) {
			fail(namespace + ": pods are left after 5 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
