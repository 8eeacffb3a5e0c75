package io.podguard.server;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;

/** {@code /livez} and {@code /readyz} on the management port, Kubernetes-style. */
final class ProbeEndpoints {

    private ProbeEndpoints() {
    }

    @Endpoint(id = "livez")
    static final class Livez {
        private final ApplicationAvailability availability;

        Livez(ApplicationAvailability availability) {
            this.availability = availability;
        }

        @ReadOperation
        WebEndpointResponse<Map<String, Object>> livez() {
            boolean live = availability.getLivenessState() != LivenessState.BROKEN;
            return new WebEndpointResponse<>(Map.of("status", live ? "ok" : "broken"), live ? 200 : 503);
        }
    }

    @Endpoint(id = "readyz")
    static final class Readyz {
        private final ApplicationAvailability availability;
        private final Readiness readiness;

        Readyz(ApplicationAvailability availability, Readiness readiness) {
            this.availability = availability;
            this.readiness = readiness;
        }

        @ReadOperation
        WebEndpointResponse<Map<String, Object>> readyz() {
            Map<String, Object> body = new LinkedHashMap<>();
            Map<String, String> unmet = new LinkedHashMap<>(readiness.unmet());
            if (availability.getReadinessState() != ReadinessState.ACCEPTING_TRAFFIC) {
                unmet.put("application", "not accepting traffic (starting or shutting down)");
            }
            boolean ready = unmet.isEmpty();
            body.put("status", ready ? "ok" : "not ready");
            if (!ready) {
                body.put("unmet", unmet);
            }
            return new WebEndpointResponse<>(body, ready ? 200 : 503);
        }
    }
}
