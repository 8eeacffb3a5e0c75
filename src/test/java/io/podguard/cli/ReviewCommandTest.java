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

    private static final java.util.regex.Pattern STACK_TRACE_LINE = java.util.regex.Pattern.compile(
            "\t.*|Caused by: .*|Suppressed: .*|[\\w.$]+(Exception|Error|Throwable)(: .*)?");

    /** The printed text without log lines of other test classes' servers and their stack traces. */
    static String withoutServerLogs(String printed) {
        if (printed.lines().noneMatch(line -> SERVER_LOG_LINE.matcher(line).lookingAt())) {
            return printed;
        }
        StringBuilder kept = new StringBuilder();
        boolean inLogRecord = false;
        for (String line : (Iterable<String>) printed.lines()::iterator) {
            if (SERVER_LOG_LINE.matcher(line).lookingAt()) {
                inLogRecord = true;
            } else if (inLogRecord && STACK_TRACE_LINE.matcher(line).matches()) {
                // a continuation of the log record above
            } else {
                inLogRecord = false;
                kept.append(line).append(System.lineSeparator());
            }
        }
        return kept.toString();
    }

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
            // land in it too, with its stack trace. The command's own output never starts with a
            // log line's timestamp, and its JSON is indented with spaces, never a tab.
            String printed = withoutServerLogs(o.toString(StandardCharsets.UTF_8));
            return new Run(code, printed, e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void withoutServerLogsWhenLogRecordWithStackTraceThenOnlyTheCommandsOutputKept() {
        String printed = String.join("\n",
                "{",
                "2026-12-02T01:40:11.123Z  WARN 4242 --- [client-1] i.f.k.c.WatchConnectionManager : failed",
                "java.util.concurrent.CompletionException: java.net.ConnectException: Connection refused",
                "\tat java.base/java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:332)",
                "Caused by: java.net.ConnectException: Connection refused",
                "\t... 12 more",
                "  \"kind\" : \"AdmissionReview\"",
                "}") + "\n";

        assertThat(withoutServerLogs(printed))
                .isEqualTo("{" + System.lineSeparator() + "  \"kind\" : \"AdmissionReview\""
                        + System.lineSeparator() + "}" + System.lineSeparator());
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
