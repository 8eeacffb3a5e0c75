// celeval evaluates CEL expressions exactly as kube-apiserver v1.37 compiles and runs a
// ValidatingAdmissionPolicy's expressions: the base environment of k8s.io/apiserver's
// pkg/cel/environment at the 1.37 compatibility version, the variables and cost tracking of
// pkg/admission/plugin/cel, the per-expression cost limit. podguard's differential tests feed
// it the same corpus as podguard's own CEL environment and compare the answers.
//
// Input (stdin): a JSON array of {"expression", "object", "oldObject", "params"}.
// Output (stdout): a JSON array of {"compileError", "error", "type", "value", "cost"}.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"k8s.io/apimachinery/pkg/util/version"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/cel/environment"
)

type input struct {
	Expression string         `json:"expression"`
	Object     any            `json:"object"`
	OldObject  any            `json:"oldObject"`
	Params     any            `json:"params"`
}

type output struct {
	CompileError string          `json:"compileError,omitempty"`
	Error        string          `json:"error,omitempty"`
	Type         string          `json:"type,omitempty"`
	Value        json.RawMessage `json:"value,omitempty"`
	Cost         uint64          `json:"cost"`
}

type accessor struct{ expression string }

func (a accessor) GetExpression() string     { return a.expression }
func (a accessor) ReturnTypes() []*cel.Type { return []*cel.Type{cel.AnyType} }

func main() {
	var cases []input
	dec := json.NewDecoder(os.Stdin)
	dec.UseNumber()
	if err := dec.Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "celeval:", err)
		os.Exit(2)
	}
	compiler := plugincel.NewCompiler(environment.MustBaseEnvSet(version.MajorMinor(1, 37)))
	out := make([]output, 0, len(cases))
	for _, c := range cases {
		out = append(out, evaluate(compiler, c))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "celeval:", err)
		os.Exit(2)
	}
}

func evaluate(compiler plugincel.Compiler, c input) output {
	result := compiler.CompileCELExpression(accessor{c.Expression},
		plugincel.OptionalVariableDeclarations{HasParams: true}, environment.StoredExpressions)
	if result.Error != nil {
		return output{CompileError: result.Error.Detail}
	}
	activation := map[string]any{
		"object":    normalize(c.Object),
		"oldObject": normalize(c.OldObject),
		"params":    normalize(c.Params),
	}
	val, details, err := result.Program.ContextEval(context.Background(), activation)
	var cost uint64
	if details != nil && details.ActualCost() != nil {
		cost = *details.ActualCost()
	}
	if err != nil {
		return output{Error: err.Error(), Cost: cost}
	}
	return output{Type: val.Type().TypeName(), Value: toJSON(val), Cost: cost}
}

// normalize turns json.Number into int64 or float64, as the apiserver's unstructured decoding does.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalize(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = normalize(e)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

func toJSON(val ref.Val) json.RawMessage {
	switch val.Type() {
	case types.IntType, types.UintType:
		return json.RawMessage(fmt.Sprintf("%d", val.Value()))
	}
	native, err := val.ConvertToNative(reflect.TypeOf(&structpb.Value{}))
	if err != nil {
		s, _ := json.Marshal(fmt.Sprint(val.Value()))
		return json.RawMessage(`{"opaque":` + string(s) + `}`)
	}
	b, err := protojson.Marshal(native.(*structpb.Value))
	if err != nil {
		return json.RawMessage(`null`)
	}
	return json.RawMessage(b)
}
