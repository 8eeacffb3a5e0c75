package io.podguard.engine.defaults;

import io.podguard.engine.PodObject;
import io.podguard.policy.DefaultsConfig;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** What a defaulter works on: the pod as sent (typed, read-only), its JSON copy to change, the config. */
public final class DefaultingContext {

    private final PodObject pod;
    private final ObjectNode podJson;
    private final DefaultsConfig config;
    private final List<AppliedDefault> applied = new ArrayList<>();

    public DefaultingContext(PodObject pod, ObjectNode podJson, DefaultsConfig config) {
        this.pod = pod;
        this.podJson = podJson;
        this.config = config;
    }

    public PodObject pod() {
        return pod;
    }

    /** The pod's JSON (a copy): change it in place. */
    public ObjectNode podJson() {
        return podJson;
    }

    public DefaultsConfig config() {
        return config;
    }

    /** Records that {@code defaulter} set {@code what}, e.g. {@code resources (container app)}. */
    public void record(String defaulter, String what) {
        applied.add(new AppliedDefault(defaulter, what));
    }

    public List<AppliedDefault> applied() {
        return applied;
    }
}
