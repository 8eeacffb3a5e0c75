package io.podguard.engine.psp;

import io.podguard.engine.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * PSP's capabilities: {@code defaultAddCapabilities} are added unless the container drops
 * them, {@code requiredDropCapabilities} are merged into drop; a container may add only
 * default or allowed capabilities ({@code *}: any) and must drop every required one.
 */
final class CapabilitiesStrategy {

    static final String ALLOW_ALL = "*";

    private final List<String> defaultAdd;
    private final List<String> requiredDrop;
    private final List<String> allowed;

    CapabilitiesStrategy(@Nullable List<String> defaultAdd, @Nullable List<String> requiredDrop, @Nullable List<String> allowed) {
        this.defaultAdd = defaultAdd == null ? List.of() : List.copyOf(defaultAdd);
        this.requiredDrop = requiredDrop == null ? List.of() : List.copyOf(requiredDrop);
        this.allowed = allowed == null ? List.of() : List.copyOf(allowed);
    }

    /**
     * Sets the container's capabilities to what the policy generates, when that differs from
     * what it has: the union of adds and of drops, each sorted, as upstream's string sets list them.
     */
    void generate(PodJson pod, io.podguard.engine.ContainerRef ref) {
        JsonNode caps = PodJson.field(pod.containerSecurityContext(ref), "capabilities");
        Set<String> containerAdd = new TreeSet<>(Text.orEmpty(PodJson.strings(caps, "add")));
        Set<String> containerDrop = new TreeSet<>(Text.orEmpty(PodJson.strings(caps, "drop")));
        Set<String> add = new TreeSet<>(defaultAdd);
        add.removeAll(containerDrop);
        add.addAll(containerAdd);
        Set<String> drop = new TreeSet<>(requiredDrop);
        drop.addAll(containerDrop);
        if (add.size() == containerAdd.size() && drop.size() == containerDrop.size()) {
            return;
        }
        ObjectNode generated = pod.ensureContainerSecurityContext(ref).putObject("capabilities");
        if (!add.isEmpty()) {
            ArrayNode a = generated.putArray("add");
            add.forEach(a::add);
        }
        if (!drop.isEmpty()) {
            ArrayNode d = generated.putArray("drop");
            drop.forEach(d::add);
        }
    }

    void validate(String path, @Nullable JsonNode caps, List<FieldError> errors) {
        if (caps == null) {
            if (defaultAdd.isEmpty() && requiredDrop.isEmpty()) {
                return;
            }
            errors.add(FieldError.invalid(PspRules.CAPABILITIES, path, "null",
                    "required capabilities are not set on the securityContext"));
            return;
        }
        if (allowed.contains(ALLOW_ALL)) {
            return;
        }
        for (String cap : Text.orEmpty(PodJson.strings(caps, "add"))) {
            if (!defaultAdd.contains(cap) && !allowed.contains(cap)) {
                errors.add(FieldError.invalid(PspRules.CAPABILITIES, path + ".add", GoFormat.quote(cap),
                        "capability may not be added"));
            }
        }
        List<String> drops = PodJson.strings(caps, "drop");
        for (String required : requiredDrop) {
            if (drops == null || !drops.contains(required)) {
                errors.add(FieldError.invalid(PspRules.CAPABILITIES, path + ".drop", GoFormat.capabilities(drops),
                        required + " is required to be dropped but was not found"));
            }
        }
    }

}
