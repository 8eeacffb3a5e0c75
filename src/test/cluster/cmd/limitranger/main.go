// Command limitranger runs kube-apiserver's own LimitRanger admission plugin,
// from the k8s.io/kubernetes version pinned in this module's go.mod, over a
// corpus of cases, so that podguard's resource defaults and rules can be
// compared with it, run rather than read.
//
// Input (standard input): a JSON array of cases:
//
//	{"name": "...",
//	 "limitRanges": [v1 LimitRange objects of the namespace],
//	 "storedLimitRanges": true: the LimitRanges get the v1 defaults first
//	     (SetDefaults_LimitRangeItem), as the apiserver stores them; false: used
//	     as given, as upstream's unit tests build them,
//	 "pod": {a v1 Pod},
//	 "oldPod": {the v1 Pod before an UPDATE, or null},
//	 "operation": "CREATE" | "UPDATE",
//	 "subresource": "" | "resize" | "status" | "ephemeralcontainers" | ...,
//	 "podLevelResources": the PodLevelResources feature gate (null: the version's default)}
//
// or {"name": "...", "quantities": ["1.5Gi", ...]}: how the apiserver reads and writes each
// quantity (the result's "canonical": Quantity.String(), or "error: ..." when it is not one).
//
// Each case gets a LimitRanger of its own, initialised as kube-apiserver does
// (a fake clientset holding the LimitRanges; the informer is not started, so
// the plugin reads them through its live lookup). The pod gets the v1 defaults
// (as the apiserver decodes it), is converted to the internal type, admitted by
// LimitRanger's mutating half, then validated by its validating half, as the
// admission chain runs them.
//
// Output (standard output): a JSON array, one result per case, in order:
//
//	{"name": "...",
//	 "limitRanges": [the LimitRanges as the plugin used them],
//	 "limitRangeErrors": ["the apiserver's validation errors of each LimitRange"],
//	 "allowed": true|false,
//	 "message": "the plugin's error, when denied",
//	 "violations": ["each constraint's own error, sorted"],
//	 "input": {the defaulted v1 pod, as a webhook would receive it},
//	 "output": {the v1 pod after the mutating half}}
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/admission"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	api "k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	"k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/features"
	"k8s.io/kubernetes/plugin/pkg/admission/limitranger"
)

type testCase struct {
	Name              string              `json:"name"`
	LimitRanges       []corev1.LimitRange `json:"limitRanges"`
	StoredLimitRanges bool                `json:"storedLimitRanges"`
	Pod               json.RawMessage     `json:"pod"`
	OldPod            json.RawMessage     `json:"oldPod"`
	Operation         string              `json:"operation"`
	Subresource       string              `json:"subresource"`
	PodLevelResources *bool               `json:"podLevelResources"`
	Quantities        []string            `json:"quantities"`
}

type result struct {
	Name             string              `json:"name"`
	LimitRanges      []corev1.LimitRange `json:"limitRanges"`
	LimitRangeErrors []string            `json:"limitRangeErrors"`
	Allowed          bool                `json:"allowed"`
	Message          string              `json:"message,omitempty"`
	Violations       []string            `json:"violations"`
	Input            *corev1.Pod         `json:"input,omitempty"`
	Output           *corev1.Pod         `json:"output,omitempty"`
	Canonical        []string            `json:"canonical,omitempty"`
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var cases []testCase
	if err := json.Unmarshal(data, &cases); err != nil {
		fail(fmt.Errorf("reading the cases: %v", err))
	}
	defaultGate := utilfeature.DefaultFeatureGate.Enabled(features.PodLevelResources)
	results := make([]result, 0, len(cases))
	for _, c := range cases {
		gate := defaultGate
		if c.PodLevelResources != nil {
			gate = *c.PodLevelResources
		}
		if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(map[string]bool{string(features.PodLevelResources): gate}); err != nil {
			fail(err)
		}
		r, err := run(c)
		if err != nil {
			fail(fmt.Errorf("case %q: %v", c.Name, err))
		}
		results = append(results, r)
	}
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(results); err != nil {
		fail(err)
	}
}

func run(c testCase) (result, error) {
	r := result{Name: c.Name, LimitRangeErrors: []string{}, Violations: []string{}}
	if c.Quantities != nil {
		for _, s := range c.Quantities {
			q, err := resource.ParseQuantity(s)
			if err != nil {
				r.Canonical = append(r.Canonical, "error: "+err.Error())
			} else {
				r.Canonical = append(r.Canonical, q.String())
			}
		}
		return r, nil
	}
	var objects []runtime.Object
	for i := range c.LimitRanges {
		lr := c.LimitRanges[i].DeepCopy()
		if lr.Namespace == "" {
			lr.Namespace = "test"
		}
		if c.StoredLimitRanges {
			legacyscheme.Scheme.Default(lr)
		}
		internal := &api.LimitRange{}
		if err := legacyscheme.Scheme.Convert(lr, internal, nil); err != nil {
			return r, err
		}
		for _, e := range validation.ValidateLimitRange(internal) {
			r.LimitRangeErrors = append(r.LimitRangeErrors, e.Error())
		}
		r.LimitRanges = append(r.LimitRanges, *lr)
		objects = append(objects, lr)
	}

	pod, err := decodePod(c.Pod)
	if err != nil {
		return r, err
	}
	if pod.Namespace == "" {
		pod.Namespace = "test"
	}
	in := &corev1.Pod{}
	if err := legacyscheme.Scheme.Convert(pod.DeepCopy(), in, nil); err != nil {
		return r, err
	}
	r.Input = in
	var old *api.Pod
	if len(c.OldPod) > 0 && string(c.OldPod) != "null" {
		if old, err = decodePod(c.OldPod); err != nil {
			return r, err
		}
	}

	client := fake.NewSimpleClientset(objects...)
	factory := informers.NewSharedInformerFactory(client, 0)
	handler, err := limitranger.NewLimitRanger(&limitranger.DefaultLimitRangerActions{})
	if err != nil {
		return r, err
	}
	handler.SetExternalKubeInformerFactory(factory)
	handler.SetExternalKubeClientSet(client)
	if err := admission.ValidateInitialization(handler); err != nil {
		return r, err
	}

	op := admission.Create
	var options runtime.Object = &metav1.CreateOptions{}
	if c.Operation == "UPDATE" {
		op = admission.Update
		options = &metav1.UpdateOptions{}
	}
	attributes := func() admission.Attributes {
		var oldObject runtime.Object
		if old != nil {
			oldObject = old
		}
		return admission.NewAttributesRecord(pod, oldObject, api.Kind("Pod").WithVersion("v1"), pod.Namespace, pod.Name,
			api.Resource("pods").WithVersion("v1"), c.Subresource, op, options, false, nil)
	}
	if err := handler.Admit(context.TODO(), attributes(), nil); err != nil {
		r.Message = err.Error()
		return r, nil
	}
	outPod := &corev1.Pod{}
	if err := legacyscheme.Scheme.Convert(pod.DeepCopy(), outPod, nil); err != nil {
		return r, err
	}
	r.Output = outPod
	if err := handler.Validate(context.TODO(), attributes(), nil); err != nil {
		r.Message = err.Error()
	} else {
		r.Allowed = true
	}
	// The plugin aggregates every constraint's error in map order; the same errors, one by one and sorted.
	if !r.Allowed && handler.Handles(op) && (&limitranger.DefaultLimitRangerActions{}).SupportsAttributes(attributes()) {
		for i := range r.LimitRanges {
			if err := limitranger.PodValidateLimitFunc(&r.LimitRanges[i], pod); err != nil {
				var agg utilerrors.Aggregate
				if errors.As(err, &agg) {
					for _, e := range agg.Errors() {
						r.Violations = append(r.Violations, e.Error())
					}
				} else {
					r.Violations = append(r.Violations, err.Error())
				}
			}
		}
		sort.Strings(r.Violations)
	}
	return r, nil
}

// decodePod reads a v1 Pod, gives it the v1 defaults as the apiserver's decoder does, and converts it to the internal type.
func decodePod(raw json.RawMessage) (*api.Pod, error) {
	v1pod := &corev1.Pod{}
	if err := json.Unmarshal(raw, v1pod); err != nil {
		return nil, fmt.Errorf("reading the pod: %v", err)
	}
	legacyscheme.Scheme.Default(v1pod)
	pod := &api.Pod{}
	if err := legacyscheme.Scheme.Convert(v1pod, pod, nil); err != nil {
		return nil, err
	}
	return pod, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "limitranger:", err)
	os.Exit(1)
}
