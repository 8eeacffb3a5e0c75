package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which start-up settings keep {@code serve} off the build's ahead-of-time bean definitions: every
 * Spring property that an auto-configuration condition reads, never podguard's own or what
 * {@code serve} itself sets (the chart's arguments).
 */
class ServeCommandAotTest {

    private static final Map<String, String> NONE = Map.of();

    @Test
    void theChartsArgumentsAndServesOwnPropertiesKeepAot() {
        List<String> args = List.of("--podguard.policy-file=/etc/podguard/policy/policy.yaml", "--server.port=8443",
                "--management.server.port=8081", "--podguard.certs.managed.enabled=true",
                "--podguard.certs.managed.namespace=podguard-system", "--management.endpoint.audit.access=read-only",
                "--spring.ssl.bundle.pem.podguard.keystore.certificate=file:/tmp/tls.crt",
                "--spring.ssl.bundle.pem.podguard.truststore.certificate=file:/tmp/ca.crt", "--server.ssl.client-auth=need",
                "--logging.level.io.podguard=DEBUG", "--podguard.leader-election.enabled=true",
                "--server.address=127.0.0.1", "--management.server.address=127.0.0.1");
        assertThat(ServeCommand.decidedAtBuildTime(args, Map.of("spring.aot.enabled", "true", "java.home", "/jdk"),
                Map.of("POD_NAMESPACE", "podguard-system", "PODGUARD_POLICY_FILE", "/p.yaml", "SERVER_PORT", "9443"))).isNull();
    }

    @Test
    void anEndpointExposedOrAnyOtherSpringPropertyIsNamed() {
        assertThat(ServeCommand.decidedAtBuildTime(List.of("--management.endpoints.web.exposure.include=health"), NONE, NONE))
                .isEqualTo("management.endpoints.web.exposure.include");
        assertThat(ServeCommand.decidedAtBuildTime(List.of("--spring.threads.virtual.enabled=false"), NONE, NONE))
                .isEqualTo("spring.threads.virtual.enabled");
        assertThat(ServeCommand.decidedAtBuildTime(List.of(), Map.of("server.http2.enabled", "true"), NONE))
                .isEqualTo("server.http2.enabled");
        assertThat(ServeCommand.decidedAtBuildTime(List.of(), NONE, Map.of("MANAGEMENT_ENDPOINTS_ACCESS_DEFAULT", "unrestricted")))
                .isEqualTo("management.endpoints.access.default");
    }

    @Test
    void aManagementPortThatIsTheServersOrOffIsNamed() {
        assertThat(ServeCommand.decidedAtBuildTime(List.of("--server.port=9443", "--management.server.port=9443"), NONE, NONE))
                .isEqualTo("management.server.port 9443");
        assertThat(ServeCommand.decidedAtBuildTime(List.of("--management.server.port=-1"), NONE, NONE))
                .isEqualTo("management.server.port -1");
        assertThat(ServeCommand.decidedAtBuildTime(List.of(), NONE, Map.of("MANAGEMENT_SERVER_PORT", "8443")))
                .isEqualTo("management.server.port 8443");
    }

    @Test
    void anArgumentWinsOverTheEnvironmentAsInSpring() {
        assertThat(ServeCommand.decidedAtBuildTime(List.of("--management.server.port=9090"), NONE, Map.of("MANAGEMENT_SERVER_PORT", "8443")))
                .isNull();
    }
}
