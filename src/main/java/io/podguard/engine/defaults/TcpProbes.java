package io.podguard.engine.defaults;

import io.podguard.engine.ContainerRef;
import io.podguard.engine.Json;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * The probe both probe defaulters add: {@code tcpSocket} on the container's first TCP port, by
 * name when the port has a valid name (so renumbering the port keeps the probe right), else by
 * number. A port without {@code protocol} is TCP. Never a {@code host} field: without it the
 * kubelet dials the pod's own IP, and recent Pod Security Standards (baseline) forbid a probe
 * aimed at another host.
 */
final class TcpProbes {

    /** An IANA service name, as the apiserver validates port names: 1–15 of [a-z0-9-], a letter, no "--", no edge "-". */
    private static final Pattern IANA_SVC_NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$");
    private static final Pattern HAS_LETTER = Pattern.compile("[a-z]");

    private TcpProbes() {
    }

    /**
     * Adds {@code field} (readinessProbe, livenessProbe) to every container and sidecar that has
     * none and declares a TCP port; plain init containers and ephemeral containers may not have
     * probes at all.
     */
    static void apply(DefaultingContext context, String defaulterId, String field, DefaultsConfig.Probe config) {
        for (ContainerRef ref : context.containers()) {
            if (ref.kind() != ContainerRef.Kind.CONTAINER && !ref.isSidecar()) {
                continue;
            }
            ObjectNode read = context.readContainer(ref);
            if (read == null || !DefaultingContext.unset(read, field)) {
                continue;
            }
            JsonNode port = firstTcpPort(read);
            if (port != null) {
                context.containerJson(ref).set(field, probe(port, config));
                context.record(defaulterId, DefaultingContext.describe(ref));
            }
        }
    }

    static ObjectNode probe(JsonNode port, DefaultsConfig.Probe config) {
        ObjectNode probe = Json.mapper().createObjectNode();
        probe.putObject("tcpSocket").set("port", port);
        if (config.initialDelaySeconds() != null) {
            probe.put("initialDelaySeconds", config.initialDelaySeconds());
        }
        if (config.periodSeconds() != null) {
            probe.put("periodSeconds", config.periodSeconds());
        }
        if (config.timeoutSeconds() != null) {
            probe.put("timeoutSeconds", config.timeoutSeconds());
        }
        if (config.failureThreshold() != null) {
            probe.put("failureThreshold", config.failureThreshold());
        }
        return probe;
    }

    /** The probe's {@code port}: the first TCP port's name or number; null when there is none. */
    static @Nullable JsonNode firstTcpPort(ObjectNode container) {
        JsonNode ports = container.get("ports");
        if (ports == null || !ports.isArray()) {
            return null;
        }
        for (JsonNode port : ports) {
            if (!port.isObject() || !isTcp(port.get("protocol"))) {
                continue;
            }
            JsonNode number = port.get("containerPort");
            if (number == null || !number.isIntegralNumber() || number.longValue() < 1 || number.longValue() > 65535) {
                continue;
            }
            JsonNode name = port.get("name");
            if (name != null && name.isString() && isPortName(name.asString())) {
                return StringNode.valueOf(name.asString());
            }
            return IntNode.valueOf(number.intValue());
        }
        return null;
    }

    static boolean isPortName(String name) {
        return IANA_SVC_NAME.matcher(name).matches() && HAS_LETTER.matcher(name).find() && !name.contains("--");
    }

    private static boolean isTcp(@Nullable JsonNode protocol) {
        return protocol == null || protocol.isNull() || (protocol.isString() && "TCP".equals(protocol.asString()));
    }
}
