// psa-admission answers admission requests with upstream Pod Security
// Admission's own admission logic (k8s.io/pod-security-admission/admission, the
// code the kube-apiserver plugin and the webhook both run): the namespace
// labels read by api.PolicyToEvaluate over the defaults of a
// PodSecurityConfiguration, its exemptions, the pod evaluation and the
// namespace label-change dry run. podguard's tests compare its resolution of
// the same labels and configuration, and its answers, with these.
//
// Input, one JSON object per line on stdin:
//
//	{"config": "<a PodSecurityConfiguration, YAML or JSON; empty: PSA's default>",
//	 "namespace": {"name": "ns", "labels": {...}},
//	 "pods": [ ...v1 Pods already in the namespace (for the label-change dry run)... ],
//	 "request": {"resource": "pods", "operation": "CREATE", "username": "alice",
//	             "subresource": "", "name": "p", "object": {...}, "oldObject": {...}}}
//
// "request" may be left out: only the policy is resolved. For a request on
// "namespaces", "object" is the Namespace after the change and "oldObject" the
// one before (on UPDATE); "namespace" is then not needed.
//
// Output, one JSON object per input line, in order:
//
//	{"policy": {"enforce": "baseline:latest", "audit": "...", "warn": "..."},
//	 "policyErrors": ["metadata.labels[...]: Invalid value: ..."],
//	 "allowed": true, "code": 0, "message": "...", "warnings": [...], "auditAnnotations": {...}}
//	{"error": "..."}   (unreadable input or configuration)
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/pod-security-admission/admission"
	admissionapi "k8s.io/pod-security-admission/admission/api"
	"k8s.io/pod-security-admission/admission/api/load"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/metrics"
	"k8s.io/pod-security-admission/policy"
)

type namespaceInput struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
}

type requestInput struct {
	Resource    string          `json:"resource"`
	Operation   string          `json:"operation"`
	Username    string          `json:"username"`
	Subresource string          `json:"subresource"`
	Name        string          `json:"name"`
	Object      json.RawMessage `json:"object"`
	OldObject   json.RawMessage `json:"oldObject"`
}

type input struct {
	Config    string            `json:"config"`
	Namespace namespaceInput    `json:"namespace"`
	Pods      []json.RawMessage `json:"pods"`
	Request   *requestInput     `json:"request"`
}

type output struct {
	Policy           map[string]string `json:"policy,omitempty"`
	PolicyErrors     []string          `json:"policyErrors,omitempty"`
	Allowed          *bool             `json:"allowed,omitempty"`
	Code             int32             `json:"code,omitempty"`
	Message          string            `json:"message,omitempty"`
	Warnings         []string          `json:"warnings,omitempty"`
	AuditAnnotations map[string]string `json:"auditAnnotations,omitempty"`
	Error            string            `json:"error,omitempty"`
}

// noMetrics: the answers are what is compared, not the counters.
type noMetrics struct{}

func (noMetrics) RecordEvaluation(metrics.Decision, api.LevelVersion, metrics.Mode, api.Attributes) {}
func (noMetrics) RecordExemption(api.Attributes)                                                  {}
func (noMetrics) RecordError(bool, api.Attributes)                                                {}

type namespaces map[string]*corev1.Namespace

func (n namespaces) GetNamespace(_ context.Context, name string) (*corev1.Namespace, error) {
	if ns, ok := n[name]; ok {
		return ns, nil
	}
	return nil, fmt.Errorf("namespace %q not found", name)
}

type pods []*corev1.Pod

func (p pods) ListPods(context.Context, string) ([]*corev1.Pod, error) {
	// PSA reorders the slice it is given: hand it a copy.
	return append([]*corev1.Pod(nil), p...), nil
}

func main() {
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "psa-admission:", err)
		os.Exit(1)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	configs := map[string]*admissionapi.PodSecurityConfiguration{}
	for in.Scan() {
		if len(in.Bytes()) == 0 {
			continue
		}
		_ = enc.Encode(answer(evaluator, configs, in.Bytes()))
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "psa-admission:", err)
		os.Exit(1)
	}
}

func answer(evaluator policy.Evaluator, configs map[string]*admissionapi.PodSecurityConfiguration, line []byte) output {
	var req input
	if err := json.Unmarshal(line, &req); err != nil {
		return output{Error: err.Error()}
	}
	config, ok := configs[req.Config]
	if !ok {
		var err error
		config, err = load.LoadFromData([]byte(req.Config))
		if err != nil {
			return output{Error: "config: " + err.Error()}
		}
		configs[req.Config] = config
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: req.Namespace.Name, Labels: req.Namespace.Labels}}
	var existing pods
	for _, raw := range req.Pods {
		var pod corev1.Pod
		if err := json.Unmarshal(raw, &pod); err != nil {
			return output{Error: "pods: " + err.Error()}
		}
		existing = append(existing, &pod)
	}
	a := &admission.Admission{
		Configuration:    config,
		Evaluator:        evaluator,
		Metrics:          noMetrics{},
		PodSpecExtractor: admission.DefaultPodSpecExtractor{},
		NamespaceGetter:  namespaces{ns.Name: ns},
		PodLister:        existing,
	}
	if err := a.CompleteConfiguration(); err != nil {
		return output{Error: "config: " + err.Error()}
	}
	if err := a.ValidateConfiguration(); err != nil {
		return output{Error: "config: " + err.Error()}
	}
	p, errs := a.PolicyToEvaluate(ns.Labels)
	o := output{Policy: map[string]string{
		"enforce": p.Enforce.String(), "audit": p.Audit.String(), "warn": p.Warn.String(),
	}}
	for _, e := range errs {
		o.PolicyErrors = append(o.PolicyErrors, e.Error())
	}
	if req.Request == nil {
		return o
	}
	attrs, err := attributes(req.Request, ns.Name)
	if err != nil {
		return output{Error: "request: " + err.Error()}
	}
	response := a.Validate(context.Background(), attrs)
	allowed := response.Allowed
	o.Allowed = &allowed
	if response.Result != nil {
		o.Code = response.Result.Code
		o.Message = response.Result.Message
	}
	o.Warnings = response.Warnings
	o.AuditAnnotations = response.AuditAnnotations
	return o
}

// kinds: the resources a request may name, with the type its objects decode to.
var kinds = map[string]struct {
	gvr  schema.GroupVersionResource
	kind string
	new  func() runtime.Object
}{
	"pods":        {corev1.SchemeGroupVersion.WithResource("pods"), "Pod", func() runtime.Object { return &corev1.Pod{} }},
	"namespaces":  {corev1.SchemeGroupVersion.WithResource("namespaces"), "Namespace", func() runtime.Object { return &corev1.Namespace{} }},
	"deployments": {appsv1.SchemeGroupVersion.WithResource("deployments"), "Deployment", func() runtime.Object { return &appsv1.Deployment{} }},
}

func attributes(r *requestInput, namespace string) (api.Attributes, error) {
	k, ok := kinds[r.Resource]
	if !ok {
		return nil, fmt.Errorf("unknown resource %q", r.Resource)
	}
	decode := func(raw json.RawMessage) (runtime.Object, error) {
		if len(raw) == 0 || string(raw) == "null" {
			return nil, nil
		}
		obj := k.new()
		return obj, json.Unmarshal(raw, obj)
	}
	obj, err := decode(r.Object)
	if err != nil {
		return nil, err
	}
	old, err := decode(r.OldObject)
	if err != nil {
		return nil, err
	}
	ns := namespace
	if r.Resource == "namespaces" {
		ns = r.Name
	}
	return &api.AttributesRecord{
		Name:        r.Name,
		Namespace:   ns,
		Kind:        k.gvr.GroupVersion().WithKind(k.kind),
		Resource:    k.gvr,
		Subresource: r.Subresource,
		Operation:   admissionv1.Operation(r.Operation),
		Object:      obj,
		OldObject:   old,
		Username:    r.Username,
	}, nil
}
