package io.podguard.admission;

import io.podguard.testing.TextEdit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming review decoder answers every body exactly as reading the whole review into a tree
 * first did ({@link TreeReviewDecoder}): the same request, or the same status and message.
 */
class StreamingDecodeTest {

    private static final String REVIEW = read("bench/reviews/pod-review.json");
    private static final String HEAD = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
            + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\",";
    private static final String OBJECT = "\"object\":{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\"}]}}";
    /** A string one byte longer than the read limit. */
    private static final String HUGE = "\"" + "x".repeat(io.podguard.engine.Json.MAX_STRING_LENGTH + 1) + "\"";

    static Stream<String> bodies() {
        List<String> bodies = new ArrayList<>(List.of(
                REVIEW, "", " ", "{}", "[]", "5", "null", "\"s\"", "{} x", "{}{}", "{} []", "5 6", "[1", "{\"a\":1,}", "{\"a\":1}//c",
                "{\"a\":NaN}", "{\"a\":'x'}", "{\"a\":1} ",
                HEAD + OBJECT + "}}",
                HEAD + OBJECT + "}} {}",
                HEAD + OBJECT + "}}]",
                HEAD + "\"object\":null}}",
                HEAD + "\"object\":5}}",
                HEAD + "\"object\":\"pod\",\"oldObject\":[1,2]}}",
                HEAD + OBJECT + ",\"object\":null}}",
                HEAD + "\"object\":null," + OBJECT + "}}",
                HEAD + OBJECT + ",\"dryRun\":true}}",
                HEAD + OBJECT + ",\"dryRun\":\"true\"}}",
                HEAD + OBJECT + ",\"dryRun\":true,\"dryRun\":{}}}",
                HEAD + OBJECT + ",\"namespace\":\"\",\"name\":7,\"subResource\":[\"x\"]}}",
                HEAD + OBJECT + ",\"resource\":{\"resource\":\"pods\",\"resource\":5}}}",
                HEAD + OBJECT + ",\"resource\":\"pods\"}}",
                HEAD + OBJECT + ",\"kind\":{\"kind\":\"Deployment\"}}}",
                HEAD + OBJECT + ",\"kind\":[\"Pod\"]}}",
                HEAD + OBJECT + ",\"uid\":\"\"}}",
                HEAD + OBJECT + ",\"operation\":\"PATCH\"}}",
                HEAD + OBJECT + ",\"operation\":null}}",
                HEAD + OBJECT + ",\"userInfo\":{\"username\":\"alice\",\"groups\":[\"a\",7,null,{\"b\":1},\"c\"]}}}",
                HEAD + OBJECT + ",\"userInfo\":{\"username\":\"alice\",\"groups\":[\"a\"],\"groups\":\"b\"}}}",
                HEAD + OBJECT + ",\"userInfo\":{\"username\":\"alice\"},\"userInfo\":[]}}",
                HEAD + OBJECT + ",\"userInfo\":{\"username\":5,\"extra\":{\"k\":[\"v\"]}}}}",
                HEAD + OBJECT + "},\"request\":5}",
                HEAD + OBJECT + "},\"request\":{\"uid\":\"v\"}}",
                HEAD + OBJECT + "},\"kind\":\"Pod\"}",
                HEAD + OBJECT + "},\"apiVersion\":\"admission.k8s.io/v1beta1\"}",
                HEAD + OBJECT + "},\"apiVersion\":{\"v\":1}}",
                HEAD + OBJECT + ",\"options\":" + HUGE + "}}",
                HEAD + OBJECT + ",\"requestKind\":{\"kind\":" + HUGE + "}}}",
                HEAD + OBJECT + ",\"userInfo\":{\"extra\":{\"k\":[" + HUGE + "]}}}}",
                HEAD + OBJECT + "},\"ignored\":" + HUGE + "}",
                HEAD + OBJECT + ",\"options\":{\"n\":" + "9".repeat(101) + "}}}",
                HEAD + OBJECT + ",\"options\":{\"n\":1e999999,\"m\":-0.0,\"o\":12345678901234567890}}}",
                HEAD + OBJECT + ",\"options\":" + "[".repeat(199) + "]".repeat(199) + "}}",
                HEAD + OBJECT + ",\"options\":" + "[".repeat(300) + "]".repeat(300) + "}}",
                HEAD + OBJECT + ",\"requestResource\":{\"r\":\"\\u00e9\\uD800\"}}}",
                HEAD + OBJECT + ",\"requestResource\":{\"r\":\"\\q\"}}}",
                HEAD + "\"object\":{\"kind\":\"Pod\",\"spec\":{\"x\":" + HUGE + "}}}}",
                HEAD + "\"object\":{\"metadata\":{\"name\":" + HUGE + "}}}}",
                HEAD + "\"object\":{\"spec\":{\"n\":" + "9".repeat(101) + "}}}}",
                HEAD + "\"object\":{\"spec\":{\"n\":1e999999,\"m\":-0.0,\"o\":12345678901234567890}}}}",
                HEAD + "\"object\":{\"spec\":" + "[".repeat(190) + "]".repeat(190) + "}}}",
                HEAD + "\"object\":{\"spec\":" + "[".repeat(300) + "]".repeat(300) + "}}}",
                HEAD + "\"object\":{\"spec\":{\"r\":\"\\u00e9\\uD800\",\"s\":\"\\q\"}}}}",
                HEAD + "\"object\":{\"a\":1,\"a\":{\"b\":2}}," + OBJECT + "}}",
                HEAD + OBJECT + ",\"object\":{\"a\":1,\"a\":{\"b\":2},}}}",
                HEAD + "\"object\":{\"a\":1" + "}}"));
        return bodies.stream();
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void decodeWhenAnyBodyThenAsTheWholeTree(String body) {
        assertSame(body.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void decodeWhenInvalidUtf8AnywhereThenAsTheWholeTree(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < Math.min(bytes.length, 600); at += 7) {
            byte[] broken = bytes.clone();
            broken[at] = (byte) 0xC3;
            assertSame(broken);
        }
    }

    @Property(tries = 300)
    void decodeWhenReviewCutOrChangedThenAsTheWholeTree(@ForAll("edits") TextEdit edit) {
        assertSame(edit.apply(REVIEW).getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<TextEdit> edits() {
        return TextEdit.of(REVIEW, 40, "", "\"", "{", "}", "[", "]", ",", ":", "null", "1", "\"x\"", "{}", "[]", "\"uid\":",
                "\"request\":{},", "\"kind\":\"Pod\",", "\"dryRun\":true,", "\"object\":null,", "\\", "\u00e9", "true,");
    }

    private static void assertSame(byte[] body) {
        Object expected = outcome(() -> TreeReviewDecoder.decode(body));
        Object actual = outcome(() -> AdmissionReviewCodec.decode(body));
        assertThat(actual).isEqualTo(expected);
    }

    interface Decode {
        AdmissionRequest run() throws BadReviewException;
    }

    private static Object outcome(Decode decode) {
        try {
            return decode.run();
        } catch (BadReviewException e) {
            // A body cut inside a character after the review's last brace: Jackson names the token it was
            // in, which depends on how far the reader went, not on the body (the message is the same otherwise).
            return e.status() + " " + e.getMessage().replaceFirst("^(malformed JSON: Unexpected end-of-input) in [A-Z_a-z]+$", "$1");
        }
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
