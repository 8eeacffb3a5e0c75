package io.podguard.policy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The policy in force, swapped atomically as a whole: a request sees either the old policy or
 * the new one, never a mix. A request that already holds a resolver finishes with it.
 */
public final class PolicyStore {

    private final AtomicReference<Snapshot> current;
    private final Function<Policy, PolicyResolver> resolvers;
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();

    /** A policy and the resolver built from it. */
    public record Snapshot(Policy policy, PolicyResolver resolver, String source) {
    }

    public PolicyStore(Policy initial, String source) {
        this(initial, source, PolicyResolver::fixed);
    }

    /** @param resolvers builds the resolver of each policy put in force (with namespace labels, a clock …) */
    public PolicyStore(Policy initial, String source, Function<Policy, PolicyResolver> resolvers) {
        this.resolvers = resolvers;
        this.current = new AtomicReference<>(snapshot(initial, source));
    }

    public Snapshot current() {
        return current.get();
    }

    public PolicyResolver resolver() {
        return current.get().resolver();
    }

    /** Builds the new resolver first, then swaps: a policy that cannot be compiled changes nothing. */
    public void replace(Policy policy, String source) {
        Snapshot next = snapshot(policy, source);
        current.set(next);
        for (Consumer<Snapshot> listener : listeners) {
            listener.accept(next);
        }
    }

    /** Told of every policy swapped in, on the thread that swapped it; must return quickly. */
    public void addListener(Consumer<Snapshot> listener) {
        listeners.add(listener);
    }

    private Snapshot snapshot(Policy policy, String source) {
        return new Snapshot(policy, resolvers.apply(policy), source);
    }
}
