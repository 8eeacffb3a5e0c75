// celeval evaluates CEL expressions exactly as kube-apiserver v1.37 compiles and runs a
// ValidatingAdmissionPolicy's expressions: the base environment of k8s.io/apiserver's
// pkg/cel/environment at the 1.37 compatibility version, the variables and cost tracking of
// pkg/admission/plugin/cel, the per-expression cost limit. podguard's differential tests feed
// it the same corpus as podguard's own CEL environment and compare the answers.
//
// Input (stdin): a JSON array of {"expression", "object", "oldObject", "params"}.
// Output (stdout): a JSON array of {"compileError", "error", "type", "value", "cost"}.
//
// Expressions are compiled as the apiserver compiles those of a ValidatingAdmissionPolicy it is
// asked to create (the NewExpressions environment at its default compatibility version), and
// run as it runs them.
//
// With -functions, it reads nothing and writes the functions of that environment instead: a
// JSON array of {"name", "id", "member", "args", "result"}, one per overload, sorted.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

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
	if len(os.Args) > 1 && os.Args[1] == "-functions" {
		functions()
		return
	}
	var cases []input
	dec := json.NewDecoder(os.Stdin)
	dec.UseNumber()
	if err := dec.Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "celeval:", err)
		os.Exit(2)
	}
	compiler := plugincel.NewCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
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
		plugincel.OptionalVariableDeclarations{HasParams: true}, environment.NewExpressions)
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

type overload struct {
	Name   string   `json:"name"`
	ID     string   `json:"id"`
	Member bool     `json:"member"`
	Args   []string `json:"args"`
	Result string   `json:"result"`
}

// functions writes every overload of the environment a new ValidatingAdmissionPolicy's
// validations are compiled in (with the authorizer, without params).
func functions() {
	envSet := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
	env, err := envSet.Env(environment.NewExpressions)
	if err != nil {
		fmt.Fprintln(os.Stderr, "celeval:", err)
		os.Exit(2)
	}
	var out []overload
	for name, fn := range env.Functions() {
		for _, o := range fn.OverloadDecls() {
			var args []string
			for _, a := range o.ArgTypes() {
				args = append(args, a.String())
			}
			out = append(out, overload{Name: name, ID: o.ID(), Member: o.IsMemberFunction(), Args: args, Result: o.ResultType().String()})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "celeval:", err)
		os.Exit(2)
	}
}
