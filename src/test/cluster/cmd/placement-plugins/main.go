// Command placement-plugins runs kube-apiserver's own placement admission
// plugins -- PodNodeSelector, PodTolerationRestriction and
// ExtendedResourceToleration, from the k8s.io/kubernetes version pinned in this
// module's go.mod -- over a corpus of cases, so that podguard's placement
// semantics can be compared with theirs, run rather than read.
//
// Input (standard input): a JSON array of cases:
//
//	{"name": "...",
//	 "plugins": ["PodNodeSelector", "PodTolerationRestriction", "ExtendedResourceToleration"],
//	 "namespace": {a v1 Namespace, or null: the namespace does not exist},
//	 "podNodeSelectorConfig": "the plugin's configuration file (YAML), or empty",
//	 "podTolerationRestrictionConfig": "the plugin's configuration file (YAML), or empty",
//	 "pod": {a v1 Pod}}
//
// Each plugin is created through its registered factory from its own
// configuration file and initialised as kube-apiserver does, with a fake
// clientset and an informer whose store holds the namespace. The pod gets the
// v1 defaults (as the apiserver decodes it), is converted to the internal type,
// admitted by the mutating plugins in kube-apiserver's order, then validated by
// the validating ones, exactly as the admission chain runs them.
//
// Output (standard output): a JSON array, one result per case, in order:
//
//	{"name": "...", "allowed": true|false, "message": "the error, when denied",
//	 "input": {the defaulted v1 pod, as a webhook would receive it},
//	 "output": {the v1 pod after admission, when allowed},
//	 "reinvoked": {the output after the mutating plugins ran once more, as kube-apiserver
//	               reinvokes them when a webhook changed the pod after them}}
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	genericadmissioninitializer "k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	api "k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	"k8s.io/kubernetes/plugin/pkg/admission/extendedresourcetoleration"
	"k8s.io/kubernetes/plugin/pkg/admission/podnodeselector"
	"k8s.io/kubernetes/plugin/pkg/admission/podtolerationrestriction"
)

// kube-apiserver's order of these three in its admission chain (AllOrderedPlugins).
var order = []string{
	podnodeselector.PluginName,
	podtolerationrestriction.PluginName,
	extendedresourcetoleration.PluginName,
}

type testCase struct {
	Name                           string            `json:"name"`
	Plugins                        []string          `json:"plugins"`
	Namespace                      *corev1.Namespace `json:"namespace"`
	PodNodeSelectorConfig          string            `json:"podNodeSelectorConfig"`
	PodTolerationRestrictionConfig string            `json:"podTolerationRestrictionConfig"`
	Pod                            json.RawMessage   `json:"pod"`
}

type result struct {
	Name    string      `json:"name"`
	Allowed bool        `json:"allowed"`
	Message string      `json:"message,omitempty"`
	Input   *corev1.Pod `json:"input,omitempty"`
	Output  *corev1.Pod `json:"output,omitempty"`
	// Reinvoked is the output after the mutating plugins ran again.
	Reinvoked *corev1.Pod `json:"reinvoked,omitempty"`
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
	plugins := admission.NewPlugins()
	podnodeselector.Register(plugins)
	podtolerationrestriction.Register(plugins)
	extendedresourcetoleration.Register(plugins)

	results := make([]result, 0, len(cases))
	for _, c := range cases {
		r, err := run(plugins, c)
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

func run(plugins *admission.Plugins, c testCase) (result, error) {
	r := result{Name: c.Name}
	var objects []runtime.Object
	if c.Namespace != nil {
		objects = append(objects, c.Namespace)
	}
	client := fake.NewSimpleClientset(objects...)
	factory := informers.NewSharedInformerFactory(client, 0)
	if c.Namespace != nil {
		if err := factory.Core().V1().Namespaces().Informer().GetStore().Add(c.Namespace); err != nil {
			return r, err
		}
	}
	initializer := genericadmissioninitializer.New(client, nil, factory, nil, nil, nil, nil, nil)

	var chain []admission.Interface
	for _, name := range order {
		if !contains(c.Plugins, name) {
			continue
		}
		var config io.Reader
		switch name {
		case podnodeselector.PluginName:
			if c.PodNodeSelectorConfig != "" {
				config = strings.NewReader(c.PodNodeSelectorConfig)
			}
		case podtolerationrestriction.PluginName:
			if c.PodTolerationRestrictionConfig != "" {
				config = strings.NewReader(c.PodTolerationRestrictionConfig)
			}
		}
		plugin, err := plugins.InitPlugin(name, config, initializer)
		if err != nil {
			return r, err
		}
		// The informer is filled by hand rather than started: the plugins wait for it otherwise.
		if ready, ok := plugin.(interface{ SetReadyFunc(admission.ReadyFunc) }); ok {
			ready.SetReadyFunc(func() bool { return true })
		}
		chain = append(chain, plugin)
	}

	var v1pod corev1.Pod
	if err := json.Unmarshal(c.Pod, &v1pod); err != nil {
		return r, fmt.Errorf("pod: %v", err)
	}
	legacyscheme.Scheme.Default(&v1pod)
	input := v1pod.DeepCopy()
	r.Input = input
	var pod api.Pod
	if err := legacyscheme.Scheme.Convert(&v1pod, &pod, nil); err != nil {
		return r, err
	}
	namespace := v1pod.Namespace
	if namespace == "" && c.Namespace != nil {
		namespace = c.Namespace.Name
	}
	attributes := admission.NewAttributesRecord(&pod, nil, api.Kind("Pod").WithVersion("v1"), namespace, pod.Name,
		api.Resource("pods").WithVersion("v1"), "", admission.Create, &metav1.CreateOptions{}, false, nil)
	ctx := context.Background()
	for _, plugin := range chain {
		if m, ok := plugin.(admission.MutationInterface); ok && m.Handles(admission.Create) {
			if err := m.Admit(ctx, attributes, nil); err != nil {
				r.Message = err.Error()
				return r, nil
			}
		}
	}
	for _, plugin := range chain {
		if v, ok := plugin.(admission.ValidationInterface); ok && v.Handles(admission.Create) {
			if err := v.Validate(ctx, attributes, nil); err != nil {
				r.Message = err.Error()
				return r, nil
			}
		}
	}
	var output corev1.Pod
	if err := legacyscheme.Scheme.Convert(&pod, &output, nil); err != nil {
		return r, err
	}
	r.Allowed = true
	r.Output = &output
	for _, plugin := range chain {
		if m, ok := plugin.(admission.MutationInterface); ok && m.Handles(admission.Create) {
			if err := m.Admit(ctx, attributes, nil); err != nil {
				return r, fmt.Errorf("reinvoking %T: %v", plugin, err)
			}
		}
	}
	var reinvoked corev1.Pod
	if err := legacyscheme.Scheme.Convert(&pod, &reinvoked, nil); err != nil {
		return r, err
	}
	r.Reinvoked = &reinvoked
	return r, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "placement-plugins:", err)
	os.Exit(1)
}
