package io.podguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.Main;
import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class ReviewCommandTest {

    record Run(int code, String out, String err) {
    }

    private static final java.util.regex.Pattern SERVER_LOG_LINE =
            java.util.regex.Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}[.,]\\d+\\S*\\s+(TRACE|DEBUG|INFO|WARN|ERROR) ");

    static Run run(String stdin, String... args) {
        InputStream in = System.in;
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute(args);
            // System.out is the JVM's: a log line of a server another test class left running may
            // land in it too. The command's own output never starts with a log line's timestamp.
            String printed = o.toString(StandardCharsets.UTF_8);
            if (printed.lines().anyMatch(line -> SERVER_LOG_LINE.matcher(line).lookingAt())) {
                printed = printed.lines()
                        .filter(line -> !SERVER_LOG_LINE.matcher(line).lookingAt())
                        .map(line -> line + System.lineSeparator())
                        .collect(java.util.stream.Collectors.joining());
            }
            return new Run(code, printed, e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void reviewWhenPrivilegedPodThenDenialOnStdout() {
        Run run = run(Reviews.create(Pods.PRIVILEGED), "review");

        assertThat(run.code()).isZero();
        JsonNode response = Reviews.response(run.out());
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asString())
                .isEqualTo("violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
                        + "privileged (container \"app\" must not set securityContext.privileged=true)");
    }

    @Test
    void reviewWhenBaselinePolicyFileThenJudgedAtBaseline(@TempDir Path dir) throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "mode: enforce\npodSecurity:\n  level: baseline\n  version: v1.30\n");

        Run run = run(Reviews.create(Pods.PRIVILEGED), "review", "--policy", policy.toString());

        assertThat(Reviews.response(run.out()).path("status").path("message").asString())
                .startsWith("violates PodSecurity \"baseline:v1.30\": host namespaces");
    }

    @Test
    void reviewWhenBadInputThenExitTwoAndOneLineOnStderr() {
        Run run = run("{\"kind\":\"Nope\"}", "review");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("podguard: body is not an AdmissionReview: kind is \"Nope\"" + System.lineSeparator());
    }

    @Test
    void reviewWhenStandardInputIsEmptyThenSaysSo() {
        for (String stdin : new String[] {"", " \n\t\r\n"}) {
            Run run = run(stdin, "review");

            assertThat(run.code()).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEqualTo("podguard: standard input is empty: expected one AdmissionReview (JSON)" + System.lineSeparator());
        }
    }

    @Test
    void reviewWhenUidIsNotAStringThenSaysItMustBe() {
        Run run = run("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":42,"
                + "\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\"}}", "review");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("podguard: AdmissionReview request.uid must be a string" + System.lineSeparator());
    }

    @Test
    void reviewWhenUnknownEndpointThenExitTwo() {
        Run run = run(Reviews.create(Pods.RESTRICTED), "review", "--endpoint", "nope");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("\"nope\" is not one of mutate, validate");
    }
}
