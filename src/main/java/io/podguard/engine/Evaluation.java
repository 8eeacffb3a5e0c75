package io.podguard.engine;

import java.util.List;

/** The violations of one pod under each mode's level; empty lists when allowed or the mode is off. */
public record Evaluation(List<Violation> enforce, List<Violation> audit, List<Violation> warn) {

    public static final Evaluation NONE = new Evaluation(List.of(), List.of(), List.of());
}
