package io.podguard.policy;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The policy in force, swapped atomically as a whole: a request sees either the old policy or
 * the new one, never a mix.
 */
public final class PolicyStore {

    private final AtomicReference<Snapshot> current;

    /** A policy and the resolver built from it. */
    public record Snapshot(Policy policy, PolicyResolver resolver, String source) {
    }

    public PolicyStore(Policy initial, String source) {
        this.current = new AtomicReference<>(snapshot(initial, source));
    }

    public Snapshot current() {
        return current.get();
    }

    public PolicyResolver resolver() {
        return current.get().resolver();
    }

    public void replace(Policy policy, String source) {
        current.set(snapshot(policy, source));
    }

    private static Snapshot snapshot(Policy policy, String source) {
        return new Snapshot(policy, PolicyResolver.fixed(policy), source);
    }
}
