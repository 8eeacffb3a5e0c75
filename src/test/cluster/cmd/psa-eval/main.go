// psa-eval judges pods with upstream Pod Security Admission's own evaluator
// (k8s.io/pod-security-admission/policy, the checks the admission plugin and
// webhook run), so podguard's tests can compare its messages with upstream's.
//
// Input, one JSON object per line on stdin:
//
//	{"level":"restricted","version":"v1.30","pod":{...a v1 Pod...}}
//
// Output, one JSON object per input line on stdout, in order:
//
//	{"message":"violates PodSecurity \"restricted:v1.30\": ..."}   (denied)
//	{"message":""}                                                 (allowed)
//	{"error":"..."}                                                (unreadable input)
//
// The message is built exactly as admission.EvaluatePod builds an enforce denial.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type input struct {
	Level   string          `json:"level"`
	Version string          `json:"version"`
	Pod     json.RawMessage `json:"pod"`
}

type output struct {
	Message *string `json:"message,omitempty"`
	Error   string  `json:"error,omitempty"`
}

func main() {
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "psa-eval:", err)
		os.Exit(1)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		if len(in.Bytes()) == 0 {
			continue
		}
		_ = enc.Encode(judge(evaluator, in.Bytes()))
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "psa-eval:", err)
		os.Exit(1)
	}
}

func judge(evaluator policy.Evaluator, line []byte) output {
	var req input
	if err := json.Unmarshal(line, &req); err != nil {
		return output{Error: err.Error()}
	}
	level, err := api.ParseLevel(req.Level)
	if err != nil {
		return output{Error: err.Error()}
	}
	version, err := api.ParseVersion(req.Version)
	if err != nil {
		return output{Error: err.Error()}
	}
	var pod corev1.Pod
	if err := json.Unmarshal(req.Pod, &pod); err != nil {
		return output{Error: err.Error()}
	}
	lv := api.LevelVersion{Level: level, Version: version}
	result := policy.AggregateCheckResults(evaluator.EvaluatePod(lv, &pod.ObjectMeta, &pod.Spec))
	message := ""
	if !result.Allowed {
		message = fmt.Sprintf("violates PodSecurity %q: %s", lv.String(), result.ForbiddenDetail())
	}
	return output{Message: &message}
}
