package io.podguard.engine.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.ListType;
import dev.cel.common.types.OptionalType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.TypeParamType;
import dev.cel.runtime.CelFunctionBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Functions cel-go's environment has and cel-java's lacks, found by comparing the two
 * (CelFunctionsDifferentialIT): {@code int(duration)} (its nanoseconds) and
 * {@code list.unwrapOpt()} (the member form of {@code optional.unwrap}).
 */
final class CelGoFunctions {

    private static final TypeParamType V = TypeParamType.create("V");

    private CelGoFunctions() {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(
                CelFunctionDecl.newFunctionDeclaration("int",
                        CelOverloadDecl.newGlobalOverload("duration_to_int64", SimpleType.INT, SimpleType.DURATION)),
                CelFunctionDecl.newFunctionDeclaration("unwrapOpt",
                        CelOverloadDecl.newMemberOverload("optional_unwrapOpt", ListType.create(V), ListType.create(OptionalType.create(V)))));
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("duration_to_int64", java.time.Duration.class, CelGoFunctions::nanos),
                CelFunctionBinding.from("optional_unwrapOpt", List.class, CelGoFunctions::unwrap));
    }

    private static long nanos(java.time.Duration d) throws dev.cel.runtime.CelEvaluationException {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            throw new dev.cel.runtime.CelEvaluationException("integer overflow");
        }
    }

    private static List<Object> unwrap(List<?> list) {
        List<Object> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (o instanceof Optional<?> opt && opt.isPresent()) {
                out.add(opt.get());
            }
        }
        return out;
    }
}
