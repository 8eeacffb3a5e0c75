package io.podguard.policy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The policy in force, swapped atomically as a whole: a request sees either the old policy or
 * the new one, never a mix.
 */
public final class PolicyStore {

    private final AtomicReference<Snapshot> current;
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();

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

    private static Snapshot snapshot(Policy policy, String source) {
        return new Snapshot(policy, PolicyResolver.fixed(policy), source);
    }
}
