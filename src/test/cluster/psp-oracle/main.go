// psp-oracle runs the PodSecurityPolicy admission plugin of Kubernetes v1.24.17 (its Admit and
// Validate, the strategies and the policy selection, unchanged) over a JSON array of cases read
// from stdin, and writes one JSON answer per case, in order, to stdout. podguard's PSP engine is
// compared with these answers (src/test/java/io/podguard/engine/psp/PspUpstreamDifferentialTest).
//
// A case:
//
//	{"policies": [policy/v1beta1 PodSecurityPolicy...],
//	 "userMayUse": ["name"...],            policies the requesting user may "use"
//	 "serviceAccountMayUse": ["name"...],  policies the pod's service account may "use" in the namespace
//	 "namespace": "ns", "operation": "CREATE" | "UPDATE",
//	 "pod": v1 Pod, "oldPod": v1 Pod (UPDATE)}
//
// The pod gets the apiserver's v1 defaults first, is serialised and read back as a webhook would read it (and serviceAccountName "default" when unset, as the
// ServiceAccount plugin sets it before PodSecurityPolicy runs), and each policy its v1beta1 defaults;
// policies are validated as the apiserver validated them on creation. An answer:
//
//	{"policyErrors": ["..."]                  the policies' validation errors (nothing else is judged then)
//	 "input": v1 Pod                          the defaulted pod, as a webhook receives it
//	 "admit": {"error": "...", "pod": v1 Pod} Admit (CREATE only): the mutated pod with kubernetes.io/psp, or the error
//	 "validate": {"error": "...", "policy": "..."}       Validate on Admit's pod (CREATE) or on the input (UPDATE)
//	 "validateInput": {"error": "...", "policy": "..."}} Validate on the input pod as it is
//
// An error is the plugin's own, as kube-apiserver returned it: `pods "name" is forbidden: PodSecurityPolicy: ...`.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	corev1 "k8s.io/api/core/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	genericadmissioninit "k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	api "k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	"k8s.io/kubernetes/pkg/apis/policy"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	policyvalidation "k8s.io/kubernetes/pkg/apis/policy/validation"
	pspadmission "k8s.io/kubernetes/plugin/pkg/admission/security/podsecuritypolicy"
)

type input struct {
	Policies             []policyv1beta1.PodSecurityPolicy `json:"policies"`
	UserMayUse           []string                          `json:"userMayUse"`
	ServiceAccountMayUse []string                          `json:"serviceAccountMayUse"`
	Namespace            string                            `json:"namespace"`
	Operation            string                            `json:"operation"`
	Pod                  *corev1.Pod                       `json:"pod"`
	OldPod               *corev1.Pod                       `json:"oldPod,omitempty"`
}

type verdict struct {
	Error  string      `json:"error,omitempty"`
	Policy string      `json:"policy,omitempty"`
	Pod    *corev1.Pod `json:"pod,omitempty"`
}

type output struct {
	PolicyErrors  []string    `json:"policyErrors,omitempty"`
	Input         *corev1.Pod `json:"input,omitempty"`
	Admit         *verdict    `json:"admit,omitempty"`
	Validate      *verdict    `json:"validate,omitempty"`
	ValidateInput *verdict    `json:"validateInput,omitempty"`
	Failure       string      `json:"failure,omitempty"`
}

// useAuthorizer allows "use" of a podsecuritypolicies name to the user and to the service
// account as the case says, and nothing else.
type useAuthorizer struct {
	user, serviceAccount string
	userMayUse, saMayUse map[string]bool
}

func (z useAuthorizer) Authorize(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	if a.GetVerb() != "use" || a.GetResource() != "podsecuritypolicies" || !a.IsResourceRequest() {
		return authorizer.DecisionNoOpinion, "", nil
	}
	switch a.GetUser().GetName() {
	case z.user:
		if z.userMayUse[a.GetName()] {
			return authorizer.DecisionAllow, "", nil
		}
	case z.serviceAccount:
		if z.saMayUse[a.GetName()] {
			return authorizer.DecisionAllow, "", nil
		}
	}
	return authorizer.DecisionNoOpinion, "", nil
}

func set(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "psp-oracle:", err)
		os.Exit(2)
	}
	var cases []input
	if err := json.Unmarshal(data, &cases); err != nil {
		fmt.Fprintln(os.Stderr, "psp-oracle: cases:", err)
		os.Exit(2)
	}
	plugins := admission.NewPlugins()
	pspadmission.Register(plugins)
	out := make([]output, 0, len(cases))
	for i := range cases {
		out = append(out, run(plugins, &cases[i]))
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "psp-oracle:", err)
		os.Exit(2)
	}
}

func run(plugins *admission.Plugins, c *input) (o output) {
	defer func() {
		if r := recover(); r != nil {
			o = output{Failure: fmt.Sprint(r)}
		}
	}()
	// The policies as the apiserver stored them: defaulted, converted, validated.
	client := fake.NewSimpleClientset()
	factory := informers.NewSharedInformerFactory(client, 0)
	indexer := factory.Policy().V1beta1().PodSecurityPolicies().Informer().GetIndexer()
	for i := range c.Policies {
		p := c.Policies[i].DeepCopy()
		legacyscheme.Scheme.Default(p)
		var internal policy.PodSecurityPolicy
		if err := legacyscheme.Scheme.Convert(p, &internal, nil); err != nil {
			o.PolicyErrors = append(o.PolicyErrors, err.Error())
			continue
		}
		for _, e := range policyvalidation.ValidatePodSecurityPolicy(&internal) {
			o.PolicyErrors = append(o.PolicyErrors, p.Name+": "+e.Error())
		}
		if err := indexer.Add(p); err != nil {
			o.PolicyErrors = append(o.PolicyErrors, err.Error())
		}
	}
	if len(o.PolicyErrors) > 0 {
		return o
	}
	pod := c.Pod.DeepCopy()
	legacyscheme.Scheme.Default(pod)
	if pod.Spec.ServiceAccountName == "" {
		pod.Spec.ServiceAccountName = "default"
	}
	pod.Namespace = c.Namespace
	// The plugin judges the pod as a webhook receives it: converted from the internal version (which
	// sets the deprecated serviceAccount) and serialised, so that an empty list, which JSON leaves out,
	// is absent for both (in-process, an empty supplementalGroups was not nil).
	pod = roundTrip(toV1(toInternal(pod)))
	o.Input = pod.DeepCopy()
	var old *corev1.Pod
	if c.OldPod != nil {
		old = c.OldPod.DeepCopy()
		legacyscheme.Scheme.Default(old)
		if old.Spec.ServiceAccountName == "" {
			old.Spec.ServiceAccountName = "default"
		}
		old.Namespace = c.Namespace
		old = roundTrip(toV1(toInternal(old)))
	}

	requester := &user.DefaultInfo{Name: "alice", Groups: []string{"system:authenticated"}}
	authz := useAuthorizer{
		user:           requester.Name,
		serviceAccount: serviceaccount.MakeUsername(c.Namespace, pod.Spec.ServiceAccountName),
		userMayUse:     set(c.UserMayUse),
		saMayUse:       set(c.ServiceAccountMayUse),
	}
	// Initialised as the apiserver initialises it: an authorizer and the informers' lister.
	plugin, err := plugins.InitPlugin(pspadmission.PluginName, nil, initializer(authz, factory))
	if err != nil {
		panic(err)
	}

	op := admission.Operation(c.Operation)
	if c.Operation == "CREATE" {
		p, v := admitThenValidate(plugin, pod, old, op, requester)
		o.Admit, o.Validate = p, v
	} else {
		o.Validate = validate(plugin, toInternal(pod), old, op, requester)
	}
	o.ValidateInput = validate(plugin, toInternal(pod), old, op, requester)
	return o
}

func initializer(authz authorizer.Authorizer, factory informers.SharedInformerFactory) admission.PluginInitializer {
	return initFunc(func(p admission.Interface) {
		if w, ok := p.(genericadmissioninit.WantsAuthorizer); ok {
			w.SetAuthorizer(authz)
		}
		if w, ok := p.(genericadmissioninit.WantsExternalKubeInformerFactory); ok {
			w.SetExternalKubeInformerFactory(factory)
		}
	})
}

type initFunc func(admission.Interface)

func (f initFunc) Initialize(p admission.Interface) { f(p) }

func roundTrip(pod *corev1.Pod) *corev1.Pod {
	data, err := json.Marshal(pod)
	if err != nil {
		panic(err)
	}
	var out corev1.Pod
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return &out
}

func toInternal(pod *corev1.Pod) *api.Pod {
	var internal api.Pod
	if err := legacyscheme.Scheme.Convert(pod, &internal, nil); err != nil {
		panic(err)
	}
	return &internal
}

func toV1(pod *api.Pod) *corev1.Pod {
	var v1 corev1.Pod
	if err := legacyscheme.Scheme.Convert(pod, &v1, nil); err != nil {
		panic(err)
	}
	return &v1
}

func attributes(pod *api.Pod, old *corev1.Pod, op admission.Operation, requester user.Info) admission.Attributes {
	var oldObj *api.Pod
	if old != nil {
		oldObj = toInternal(old)
	}
	var oldRuntime runtime.Object
	if oldObj != nil {
		oldRuntime = oldObj
	}
	return admission.NewAttributesRecord(pod, oldRuntime, api.Kind("Pod").WithVersion("version"), pod.Namespace, pod.Name,
		schema.GroupVersionResource{Resource: "pods", Version: "version"}, "", op, nil, false, requester)
}

func admitThenValidate(plugin admission.Interface, pod *corev1.Pod, old *corev1.Pod, op admission.Operation, requester user.Info) (*verdict, *verdict) {
	internal := toInternal(pod)
	a := attributes(internal, old, op, requester)
	if err := plugin.(admission.MutationInterface).Admit(context.Background(), a, nil); err != nil {
		return &verdict{Error: err.Error()}, nil
	}
	admitted := &verdict{Pod: toV1(internal), Policy: internal.Annotations["kubernetes.io/psp"]}
	return admitted, validate(plugin, internal, old, op, requester)
}

func validate(plugin admission.Interface, pod *api.Pod, old *corev1.Pod, op admission.Operation, requester user.Info) *verdict {
	a := &auditAnnotations{Attributes: attributes(pod.DeepCopy(), old, op, requester), values: map[string]string{}}
	if err := plugin.(admission.ValidationInterface).Validate(context.Background(), a, nil); err != nil {
		return &verdict{Error: err.Error()}
	}
	return &verdict{Policy: a.values["podsecuritypolicy.policy.k8s.io/validate-policy"]}
}

// auditAnnotations keeps the audit annotations the plugin adds (the policy that validated the pod).
type auditAnnotations struct {
	admission.Attributes
	values map[string]string
}

func (a *auditAnnotations) AddAnnotation(key, value string) error {
	a.values[key] = value
	return nil
}
