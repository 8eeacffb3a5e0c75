package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class AdmissionReviewCodecTest {

    @ParameterizedTest
    @CsvSource({"admission.k8s.io/v1", "admission.k8s.io/v1beta1"})
    void decodeWhenEitherVersionThenFieldsRead(String apiVersion) throws Exception {
        AdmissionRequest request = AdmissionReviewCodec.decode(bytes(Reviews.review(apiVersion, "CREATE", Pods.PRIVILEGED, true)));

        assertThat(request.apiVersion()).isEqualTo(apiVersion);
        assertThat(request.uid()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(request.kind()).isEqualTo("Pod");
        assertThat(request.resource()).isEqualTo("pods");
        assertThat(request.operation()).isEqualTo("CREATE");
        assertThat(request.namespace()).isEqualTo("default");
        assertThat(request.name()).isEqualTo("bad");
        assertThat(request.dryRun()).isTrue();
        assertThat(request.username()).isEqualTo("alice");
        assertThat(request.groups()).containsExactly("system:authenticated");
        assertThat(request.object().path("spec").path("hostNetwork").asBoolean()).isTrue();
    }

    @Test
    void encodeWhenDeniedThenStatusAndEchoedUid() {
        byte[] out = AdmissionReviewCodec.encode("admission.k8s.io/v1beta1",
                new AdmissionResponse("u-1", false, 403, "no", null, List.of("w1"), Map.of("audit-violations", "x"), "enforce"));

        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(
                "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\"u-1\","
                        + "\"allowed\":false,\"status\":{\"metadata\":{},\"status\":\"Failure\",\"message\":\"no\",\"reason\":\"Forbidden\",\"code\":403},"
                        + "\"warnings\":[\"w1\"],\"auditAnnotations\":{\"audit-violations\":\"x\"}}}");
    }

    @Test
    void encodeWhenPatchThenBase64JsonPatchType() {
        byte[] out = AdmissionReviewCodec.encode("admission.k8s.io/v1",
                new AdmissionResponse("u-2", true, 200, null, "[]".getBytes(StandardCharsets.UTF_8), List.of(), Map.of(), "apply"));

        JsonNode response = Reviews.response(out);
        assertThat(response.path("patchType").asString()).isEqualTo("JSONPatch");
        assertThat(response.path("patch").asString()).isEqualTo("W10=");
        assertThat(response.has("status")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json                  | {oops                                                                  | 400 | malformed JSON: ",
        "array                     | []                                                                     | 400 | body is not an AdmissionReview: expected a JSON object",
        "wrong kind                | {\"apiVersion\":\"v1\",\"kind\":\"Pod\"}                              | 400 | body is not an AdmissionReview: kind is \"Pod\"",
        "no kind                   | {\"apiVersion\":\"admission.k8s.io/v1\"}                              | 400 | body is not an AdmissionReview: kind is (none)",
        "unknown version           | {\"apiVersion\":\"admission.k8s.io/v9\",\"kind\":\"AdmissionReview\"} | 400 | unsupported AdmissionReview apiVersion \"admission.k8s.io/v9\": expected admission.k8s.io/v1 or admission.k8s.io/v1beta1",
        "no request                | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"} | 400 | AdmissionReview has no request",
        "request not object        | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":5} | 400 | AdmissionReview has no request",
        "no uid                    | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}} | 400 | AdmissionReview request has no uid",
        "uid not string            | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":7}} | 400 | AdmissionReview request.uid must be a string",
        "uid an object             | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":{}}} | 400 | AdmissionReview request.uid must be a string",
        "uid null                  | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":null}} | 400 | AdmissionReview request has no uid",
        "white space only          | '   '                                                                     | 400 | body is empty: expected an AdmissionReview",
        "no kind.kind              | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}} | 400 | AdmissionReview request has no kind.kind",
        "bad operation             | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"PATCH\"}} | 400 | AdmissionReview request.operation \"PATCH\" is not one of CREATE, UPDATE, DELETE, CONNECT",
    })
    void decodeWhenBadInputThenOneLineError(String name, String body, int status, String message) {
        assertThatThrownBy(() -> AdmissionReviewCodec.decode(bytes(body)))
                .isInstanceOfSatisfying(BadReviewException.class, e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.getMessage()).startsWith(message).doesNotContain("\n");
                    assertThat(e.getStackTrace()).isEmpty();
                });
    }

    @Test
    void decodeWhenAnObjectIsLeftOpenThenJacksonsMessageWithoutItsSourceNote() {
        assertThatThrownBy(() -> AdmissionReviewCodec.decode(bytes("{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{")))
                .isInstanceOfSatisfying(BadReviewException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("malformed JSON: Unexpected end-of-input: expected close marker for Object"));
    }

    @Test
    void decodeWhenTooLargeThenPayloadTooLarge() {
        byte[] body = new byte[AdmissionReviewCodec.MAX_BODY_BYTES + 1];

        assertThatThrownBy(() -> AdmissionReviewCodec.decode(body))
                .isInstanceOfSatisfying(BadReviewException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Test
    void decodeWhenNestedDeeperThanLimitThenBadRequest() {
        String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);

        assertThatThrownBy(() -> AdmissionReviewCodec.decode(bytes(deep)))
                .isInstanceOfSatisfying(BadReviewException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).startsWith("malformed JSON: Document nesting depth (201) exceeds the maximum allowed (200");
                });
    }

    @Test
    void decodeWhenInvalidUtf8ThenBadRequest() {
        byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        assertThatThrownBy(() -> AdmissionReviewCodec.decode(body))
                .isInstanceOfSatisfying(BadReviewException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
