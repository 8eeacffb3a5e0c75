package io.podguard.engine.rules;

import io.podguard.engine.Mode;
import io.podguard.engine.RuleKind;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * ValidatingAdmissionPolicies with their bindings, compiled. Their modes are their bindings'
 * {@code validationActions} (Deny enforces, Warn warns, Audit records), as in the apiserver; a
 * namespace's {@code podguard.io/mode} label does not change them.
 */
public record AdmissionPolicies(List<AdmissionPolicyBinding> bindings, CelProjection reads) implements CelReading {

    public AdmissionPolicies {
        bindings = List.copyOf(bindings);
    }

    /** The bindings, with what their policies read of the object ({@link CelReads}). */
    public AdmissionPolicies(List<AdmissionPolicyBinding> bindings) {
        this(bindings, reads(bindings));
    }

    private static CelProjection reads(List<AdmissionPolicyBinding> bindings) {
        CelProjection reads = CelProjection.SHAPE;
        for (AdmissionPolicyBinding b : bindings) {
            reads = reads.union(b.reads());
        }
        return reads;
    }

    @Override
    public RuleKind<?> kind() {
        return AdmissionPoliciesKind.INSTANCE;
    }

    @Override
    public Set<Mode> modes() {
        Set<Mode> modes = EnumSet.noneOf(Mode.class);
        for (AdmissionPolicyBinding b : bindings) {
            for (AdmissionPolicyBinding.Action a : b.actions()) {
                modes.add(mode(a));
            }
            if (b.deniesOnAnnotationErrors()) {
                modes.add(Mode.ENFORCE);
            }
        }
        return modes;
    }

    @Override
    public AdmissionPolicies withMode(Mode mode) {
        return this;
    }

    static Mode mode(AdmissionPolicyBinding.Action action) {
        return switch (action) {
            case DENY -> Mode.ENFORCE;
            case WARN -> Mode.WARN;
            case AUDIT -> Mode.AUDIT;
        };
    }
}
