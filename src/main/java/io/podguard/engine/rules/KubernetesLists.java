package io.podguard.engine.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.TypeParamType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.util.List;

/**
 * Kubernetes' {@code lists} library (k8s.io/apiserver/pkg/cel/library/lists.go, version 1):
 * {@code isSorted}, {@code sum}, {@code min}, {@code max}, {@code indexOf}, {@code lastIndexOf},
 * {@code includes}. Upstream declares one overload per element type; here one generic overload
 * each, so a list of a type without an order fails at evaluation rather than at compilation.
 */
final class KubernetesLists {

    private static final TypeParamType A = TypeParamType.create("A");

    private KubernetesLists() {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(
                CelFunctionDecl.newFunctionDeclaration("isSorted",
                        CelOverloadDecl.newMemberOverload("list_a_is_sorted_bool", SimpleType.BOOL, ListType.create(A))),
                CelFunctionDecl.newFunctionDeclaration("sum",
                        CelOverloadDecl.newMemberOverload("list_a_sum_a", A, ListType.create(A))),
                CelFunctionDecl.newFunctionDeclaration("min",
                        CelOverloadDecl.newMemberOverload("list_a_min_a", A, ListType.create(A))),
                CelFunctionDecl.newFunctionDeclaration("max",
                        CelOverloadDecl.newMemberOverload("list_a_max_a", A, ListType.create(A))),
                CelFunctionDecl.newFunctionDeclaration("indexOf",
                        CelOverloadDecl.newMemberOverload("list_a_index_of_int", SimpleType.INT, ListType.create(A), A)),
                CelFunctionDecl.newFunctionDeclaration("lastIndexOf",
                        CelOverloadDecl.newMemberOverload("list_a_last_index_of_int", SimpleType.INT, ListType.create(A), A)),
                CelFunctionDecl.newFunctionDeclaration("includes",
                        CelOverloadDecl.newMemberOverload("list_includes_dyn_dyn", SimpleType.BOOL, SimpleType.DYN, SimpleType.DYN)));
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("list_a_is_sorted_bool", List.class, KubernetesLists::isSorted),
                CelFunctionBinding.from("list_a_sum_a", List.class, KubernetesLists::sum),
                CelFunctionBinding.from("list_a_min_a", List.class, l -> extreme(l, "min", 1)),
                CelFunctionBinding.from("list_a_max_a", List.class, l -> extreme(l, "max", -1)),
                CelFunctionBinding.from("list_a_index_of_int", List.class, Object.class, (l, x) -> indexOf(l, x, false)),
                CelFunctionBinding.from("list_a_last_index_of_int", List.class, Object.class, (l, x) -> indexOf(l, x, true)),
                CelFunctionBinding.from("list_includes_dyn_dyn", Object.class, Object.class, KubernetesLists::includes));
    }

    private static boolean isSorted(List<?> list) throws CelEvaluationException {
        Object prev = null;
        for (Object next : list) {
            if (prev != null && CelCompare.compare(prev, next) > 0) {
                return false;
            }
            prev = next;
        }
        return true;
    }

    private static Object sum(List<?> list) throws CelEvaluationException {
        if (list.isEmpty()) {
            return 0L; // upstream: the zero of the declared element type; a list literal of ints is the common case
        }
        Object acc = null;
        for (Object next : list) {
            acc = acc == null ? next : CelCompare.add(acc, next);
        }
        return acc;
    }

    private static Object extreme(List<?> list, String name, int prefer) throws CelEvaluationException {
        if (list.isEmpty()) {
            throw new CelEvaluationException(name + " called on empty list");
        }
        Object result = null;
        for (Object next : list) {
            if (result == null) {
                result = next;
                CelCompare.compare(next, next); // an element without an order is an error, as upstream
            } else if (Integer.signum(CelCompare.compare(result, next)) == prefer) {
                result = next;
            }
        }
        return result;
    }

    private static long indexOf(List<?> list, Object item, boolean last) {
        int n = list.size();
        for (int k = 0; k < n; k++) {
            int i = last ? n - 1 - k : k;
            if (CelCompare.equal(list.get(i), item)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean includes(Object target, Object arg) {
        if (target instanceof List<?> list) {
            for (Object item : list) {
                if (CelCompare.equal(item, arg)) {
                    return true;
                }
            }
            return false;
        }
        return CelCompare.equal(target, arg);
    }
}
