package io.podguard.engine;

/**
 * What of the admission path a judgement covers. The mutating webhook runs first and the
 * validating one judges what it left; {@code check} and {@code audit} ask what the two would
 * decide together.
 */
public enum Stage {
    /** {@code /mutate}: the patch for a Pod (a workload keeps its template); nothing is judged. */
    MUTATE(true, false),
    /**
     * {@code /validate}: a Pod as sent (every mutating webhook has run); a workload's template
     * after the defaults its pods will get, since its pods are what will be admitted or denied.
     */
    VALIDATE(false, true),
    /** {@code check}, {@code audit}: the object as the cluster would store it (defaults first), then judged. */
    CREATE(true, true),
    /** {@code --no-defaults} and the running pods of the background audit: the object judged as it is. */
    AS_WRITTEN(false, false);

    private final boolean defaultsPods;
    private final boolean defaultsTemplates;

    Stage(boolean defaultsPods, boolean defaultsTemplates) {
        this.defaultsPods = defaultsPods;
        this.defaultsTemplates = defaultsTemplates;
    }

    /** Whether the defaults run on {@code pod} before it is judged. */
    boolean defaults(PodObject pod) {
        return pod.isPod() ? defaultsPods : defaultsTemplates;
    }

    /** Whether the object is judged at all ({@link #MUTATE} only answers with a patch). */
    boolean judges() {
        return this != MUTATE;
    }
}
