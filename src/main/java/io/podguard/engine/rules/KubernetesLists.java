package io.podguard.engine.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.TypeParamType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' {@code lists} library (k8s.io/apiserver/pkg/cel/library/lists.go): {@code isSorted},
 * {@code sum}, {@code min}, {@code max}, {@code indexOf}, {@code lastIndexOf}, and (version 1, in
 * the programs only) {@code includes}.
 *
 * <p>Two sets of declarations. The checker gets upstream's: one overload per element type that
 * has an order ({@code isSorted}, {@code min}, {@code max}, and the lists extension's
 * {@code sort}: int, uint, double, bool, duration, timestamp, string, bytes) or a sum (int,
 * uint, double, duration), so {@code ['a'].sum()} is
 * refused when the policy loads, as by the apiserver; and no {@code includes}, which the 1.37
 * apiserver accepts in stored policies but not in new ones (its compatibility version is 1.36).
 * The programs get one generic overload each: cel-java cannot choose between overloads that all
 * take a list when the list's type is only known at run time.
 */
final class KubernetesLists {

    private static final TypeParamType A = TypeParamType.create("A");

    private KubernetesLists() {
    }

    private record Named(String name, CelType type) {
    }

    private static final List<Named> COMPARABLE = List.of(new Named("int", SimpleType.INT), new Named("uint", SimpleType.UINT),
            new Named("double", SimpleType.DOUBLE), new Named("bool", SimpleType.BOOL), new Named("duration", SimpleType.DURATION),
            new Named("timestamp", SimpleType.TIMESTAMP), new Named("string", SimpleType.STRING), new Named("bytes", SimpleType.BYTES));
    private static final List<Named> SUMMABLE = List.of(new Named("int", SimpleType.INT), new Named("uint", SimpleType.UINT),
            new Named("double", SimpleType.DOUBLE), new Named("duration", SimpleType.DURATION));

    /** Upstream's declarations, for the checker (their overload ids are upstream's, which only the checker sees). */
    static List<CelFunctionDecl> typedDeclarations() {
        List<CelOverloadDecl> sorted = new ArrayList<>();
        List<CelOverloadDecl> min = new ArrayList<>();
        List<CelOverloadDecl> max = new ArrayList<>();
        for (Named t : COMPARABLE) {
            sorted.add(CelOverloadDecl.newMemberOverload("list_" + t.name() + "_is_sorted_bool", SimpleType.BOOL, ListType.create(t.type())));
            min.add(CelOverloadDecl.newMemberOverload("list_" + t.name() + "_min_" + t.name(), t.type(), ListType.create(t.type())));
            max.add(CelOverloadDecl.newMemberOverload("list_" + t.name() + "_max_" + t.name(), t.type(), ListType.create(t.type())));
        }
        List<CelOverloadDecl> sort = new ArrayList<>();
        for (Named t : COMPARABLE) {
            // cel-go's lists extension (version 3), whose ids name the well-known types by their full names
            String id = t.type() == SimpleType.DURATION ? "google.protobuf.Duration"
                    : t.type() == SimpleType.TIMESTAMP ? "google.protobuf.Timestamp" : t.name();
            sort.add(CelOverloadDecl.newMemberOverload("list_" + id + "_sort", ListType.create(t.type()), ListType.create(t.type())));
        }
        List<CelOverloadDecl> sum = new ArrayList<>();
        for (Named t : SUMMABLE) {
            sum.add(CelOverloadDecl.newMemberOverload("list_" + t.name() + "_sum_" + t.name(), t.type(), ListType.create(t.type())));
        }
        return List.of(
                CelFunctionDecl.newFunctionDeclaration("sort", sort),
                CelFunctionDecl.newFunctionDeclaration("isSorted", sorted),
                CelFunctionDecl.newFunctionDeclaration("sum", sum),
                CelFunctionDecl.newFunctionDeclaration("min", min),
                CelFunctionDecl.newFunctionDeclaration("max", max),
                CelFunctionDecl.newFunctionDeclaration("indexOf",
                        CelOverloadDecl.newMemberOverload("list_a_index_of_int", SimpleType.INT, ListType.create(A), A)),
                CelFunctionDecl.newFunctionDeclaration("lastIndexOf",
                        CelOverloadDecl.newMemberOverload("list_a_last_index_of_int", SimpleType.INT, ListType.create(A), A)));
    }

    /** Whether {@code function} is one whose overloads the programs declare otherwise than the checker. */
    static boolean isRetyped(String function) {
        return switch (function) {
            case "isSorted", "sum", "min", "max", "indexOf", "lastIndexOf", "includes", "sort" -> true;
            default -> false;
        };
    }

    /** One generic overload each, for the programs. */
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
