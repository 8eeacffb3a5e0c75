package io.podguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.LevelVersion;
import io.podguard.engine.Violation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarningFormatterTest {

    private static final LevelVersion RESTRICTED = LevelVersion.parse("restricted", "latest");
    private static final LevelVersion BASELINE = LevelVersion.parse("baseline", "v1.30");

    private static Violation privileged(String containers) {
        return new Violation("privileged", "spec.containers[0].securityContext.privileged", "privileged",
                containers + " must not set securityContext.privileged=true");
    }

    private static final Violation HOST = new Violation("hostNamespaces", "spec.hostNetwork", "host namespaces", "hostNetwork=true");

    @Test
    void formatWhenTwoChecksThenOneWarningPerCheckWithPsaPrefix() {
        List<String> warnings = WarningFormatter.standard().format(RESTRICTED, List.of(privileged("container \"app\""), HOST));

        assertThat(warnings).containsExactly(
                "would violate PodSecurity \"restricted:latest\": privileged (container \"app\" must not set securityContext.privileged=true)",
                "would violate PodSecurity \"restricted:latest\": host namespaces (hostNetwork=true)");
        assertThat(warnings).allSatisfy(w -> assertThat(w).hasSizeLessThanOrEqualTo(WarningFormatter.TARGET_LENGTH));
    }

    @Test
    void formatWhenEvenOneNameCannotReach120ThenAllNamesAreKept() {
        List<String> warnings = WarningFormatter.standard().format(RESTRICTED,
                List.of(privileged("containers \"frontend-server\", \"backend-server\", \"sidecar-proxy\", \"log-shipper\"")));

        assertThat(warnings).containsExactly(
                "would violate PodSecurity \"restricted:latest\": privileged (containers \"frontend-server\", \"backend-server\", "
                        + "\"sidecar-proxy\", \"log-shipper\" must not set securityContext.privileged=true)");
        assertThat(warnings.getFirst()).hasSize(183);
    }

    @Test
    void formatWhenNameListMakesItLongerThan120ThenAsManyNamesAsFitAreKept() {
        Violation v = new Violation("hostPorts", "spec.containers[0].ports[0].hostPort", "hostPort",
                "containers \"a\", \"b\", \"c\", \"d\" use hostPorts 80, 443");

        assertThat(WarningFormatter.standard().format(RESTRICTED, List.of(v))).containsExactly(
                "would violate PodSecurity \"restricted:latest\": hostPort (containers \"a\", \"b\", \"c\", \"d\" use hostPorts 80, 443)");

        String names = "\"name01\", \"name02\", \"name03\", \"name04\", \"name05\", \"name06\"";
        Violation longer = new Violation("hostPorts", "p", "hostPort", "containers " + names + " use hostPort 80");
        assertThat(WarningFormatter.standard().format(RESTRICTED, List.of(longer))).containsExactly(
                "would violate PodSecurity \"restricted:latest\": hostPort (containers \"name01\", \"name02\" and 4 more use hostPort 80)");
    }

    @Test
    void formatWhenTheInstructionAloneExceeds120ThenItIsKeptWholeUnder256() {
        Violation ape = new Violation("allowPrivilegeEscalation", "spec.containers[0].securityContext.allowPrivilegeEscalation",
                "allowPrivilegeEscalation != false", "container \"app\" must set securityContext.allowPrivilegeEscalation=false");

        List<String> warnings = WarningFormatter.standard().format(RESTRICTED, List.of(ape));

        assertThat(warnings).containsExactly("would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false "
                + "(container \"app\" must set securityContext.allowPrivilegeEscalation=false)");
        assertThat(warnings.getFirst()).hasSize(154);
    }

    @Test
    void formatWhenEvenOneNameIsTooLongThenCutAt256WithEllipsis() {
        String name = "x".repeat(300);
        Violation v = new Violation("privileged", "p", "privileged", "container \"" + name + "\" must not set securityContext.privileged=true");

        String warning = WarningFormatter.standard().format(RESTRICTED, List.of(v)).getFirst();

        assertThat(warning).hasSize(WarningFormatter.MAX_LENGTH)
                .startsWith("would violate PodSecurity \"restricted:latest\": privileged (container \"xxx")
                .endsWith("x…");
    }

    @Test
    void formatWhenMoreThanFiveChecksThenFourAndARollupNamingTheRest() {
        List<Violation> many = new ArrayList<>();
        for (String reason : List.of("r1", "r2", "r3", "r4", "runAsNonRoot != true", "seccompProfile", "restricted volume types")) {
            many.add(new Violation(reason, "p", reason, "container \"app\" is wrong"));
        }

        List<String> warnings = WarningFormatter.standard().format(RESTRICTED, many);

        assertThat(warnings).hasSize(5).containsExactly(
                "would violate PodSecurity \"restricted:latest\": r1 (container \"app\" is wrong)",
                "would violate PodSecurity \"restricted:latest\": r2 (container \"app\" is wrong)",
                "would violate PodSecurity \"restricted:latest\": r3 (container \"app\" is wrong)",
                "would violate PodSecurity \"restricted:latest\": r4 (container \"app\" is wrong)",
                "would violate PodSecurity \"restricted:latest\": and 3 more: runAsNonRoot != true, seccompProfile, restricted volume types");
    }

    @Test
    void formatWhenExactlyFiveChecksThenNoRollup() {
        List<Violation> five = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            five.add(new Violation("c" + i, "p", "r" + i, ""));
        }

        assertThat(WarningFormatter.standard().format(RESTRICTED, five)).containsExactly(
                "would violate PodSecurity \"restricted:latest\": r1",
                "would violate PodSecurity \"restricted:latest\": r2",
                "would violate PodSecurity \"restricted:latest\": r3",
                "would violate PodSecurity \"restricted:latest\": r4",
                "would violate PodSecurity \"restricted:latest\": r5");
    }

    @Test
    void formatWhenRolledUpReasonsDoNotFitThenTheyEndWithEllipsisUnder120() {
        List<Violation> many = new ArrayList<>();
        many.add(HOST);
        for (int i = 0; i < 12; i++) {
            String reason = "a fairly long reason number " + i;
            many.add(new Violation("c" + i, "p", reason, ""));
        }

        List<String> warnings = new WarningFormatter(2).format(RESTRICTED, many);

        assertThat(warnings).containsExactly(
                "would violate PodSecurity \"restricted:latest\": host namespaces (hostNetwork=true)",
                "would violate PodSecurity \"restricted:latest\": and 12 more: a fairly long reason number 0, …");
        assertThat(warnings).allSatisfy(w -> assertThat(w).hasSizeLessThanOrEqualTo(WarningFormatter.TARGET_LENGTH));
    }

    @Test
    void formatWhenTwoGroupsShareACheckThenItIsNamedOnceWithTheFirstGroupsLevel() {
        List<String> warnings = WarningFormatter.standard().format(List.of(
                new WarningFormatter.Group(BASELINE, List.of(HOST)),
                new WarningFormatter.Group(RESTRICTED, List.of(HOST, privileged("container \"app\"")))));

        assertThat(warnings).containsExactly(
                "would violate PodSecurity \"baseline:v1.30\": host namespaces (hostNetwork=true)",
                "would violate PodSecurity \"restricted:latest\": privileged (container \"app\" must not set securityContext.privileged=true)");
    }

    @Test
    void formatWhenNoViolationsThenNoWarnings() {
        assertThat(WarningFormatter.standard().format(RESTRICTED, List.of())).isEmpty();
    }

    @Test
    void formatWhenManyLongChecksThenEveryWarningStaysUnder256AndTheTotalUnder4KiB() {
        List<Violation> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new Violation("c" + i, "p", "reason " + i, "containers " + "\"c\", ".repeat(60) + "\"d\" " + "y".repeat(400)));
        }

        List<String> warnings = WarningFormatter.standard().format(RESTRICTED, many);

        assertThat(warnings).hasSize(5).allSatisfy(w -> assertThat(w).hasSizeLessThanOrEqualTo(WarningFormatter.MAX_LENGTH));
        assertThat(String.join("", warnings).length()).isLessThan(4096);
    }

    /** A regex for quoted names recursed once per character: a 50,000-character name overflowed the stack. */
    @Test
    void formatWhenNamesAreHugeOrManyThenWarningsWithinLimitsWithoutRecursion() {
        String huge = "x".repeat(50_000);
        Violation seLinux = new Violation("seLinuxOptions", "spec.containers[0].securityContext.seLinuxOptions.type", "seLinuxOptions",
                "container \"app\" set forbidden securityContext.seLinuxOptions: type \"" + huge + "\", \"" + huge + "\"");
        StringBuilder many = new StringBuilder("containers ");
        for (int i = 0; i < 20_000; i++) {
            many.append(i == 0 ? "" : ", ").append('"').append("c").append(i).append('"');
        }
        Violation crowd = new Violation("privileged", "p", "privileged", many + " must not set securityContext.privileged=true");
        Violation unclosed = new Violation("hostPorts", "p", "hostPort", "containers \"a\\\"" + "\\\"".repeat(20_000) + " use hostPort 80");

        List<String> warnings = WarningFormatter.standard().format(RESTRICTED, List.of(seLinux, crowd, unclosed));

        assertThat(warnings).hasSize(3).allSatisfy(w -> assertThat(w).hasSizeLessThanOrEqualTo(WarningFormatter.MAX_LENGTH));
        assertThat(warnings.get(0)).startsWith("would violate PodSecurity \"restricted:latest\": seLinuxOptions (container \"app\" set forbidden "
                + "securityContext.seLinuxOptions: type \"xxx").endsWith("…");
        assertThat(warnings.get(1)).isEqualTo("would violate PodSecurity \"restricted:latest\": privileged (containers \"c0\", \"c1\", \"c2\", "
                + "\"c3\", \"c4\", \"c5\", \"c6\", \"c7\", \"c8\", \"c9\", \"c10\", \"c11\", \"c12\", \"c13\", \"c14\", \"c15\", \"c16\", "
                + "\"c17\", \"c18\" and 19981 more must not set securityContext.privileged=true)");
        assertThat(warnings.get(2)).startsWith("would violate PodSecurity \"restricted:latest\": hostPort (containers \"a\\\"").endsWith("…");
    }
}
