package io.podguard.engine;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * One JSON value of a request (the review's {@code object}): the bytes it was sent as, already
 * read once in full (so well-formed and within every read limit), and its tree, built from those
 * bytes on first use only. Judging a pod against Pod Security needs its typed view only
 * ({@link PodExtractor}); the tree is for what patches or reads the JSON (defaults, CEL rules,
 * placement, resources, PodSecurityPolicies). Building it for every review was about 40 % of the
 * garbage of a /validate review.
 *
 * <p>Thread-safe: the tree is built once, whichever thread asks first, and shared (never written).
 */
public final class ObjectJson {

    private static final ObjectReader TREE = Json.mapper().readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final byte @Nullable [] bytes;
    private final int offset;
    private final int length;
    private @Nullable JsonNode tree;

    private ObjectJson(byte @Nullable [] bytes, int offset, int length, @Nullable JsonNode tree) {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        this.tree = tree;
    }

    /** A value already read into a tree. */
    public static ObjectJson of(JsonNode tree) {
        return new ObjectJson(null, 0, 0, Objects.requireNonNull(tree));
    }

    /**
     * The JSON object at {@code bytes[offset, offset + length)}, which the caller has read in full
     * with {@link Json#mapper()}'s limits ({@link #readFully}): its tree is built on first use.
     */
    public static ObjectJson ofObjectBytes(byte[] bytes, int offset, int length) {
        return new ObjectJson(bytes, offset, length, null);
    }

    /** Whether the value is a JSON object sent as bytes whose tree is not built yet (or was never needed). */
    public boolean hasBytes() {
        return bytes != null;
    }

    /** A parser over the value's bytes; only when {@link #hasBytes()}. */
    public JsonParser parser() {
        return Json.mapper().createParser(Objects.requireNonNull(bytes), offset, length);
    }

    /**
     * A parser over the value's bytes from {@code byteOffset} on (an offset a parser from
     * {@link #parser()} reported); only when {@link #hasBytes()}.
     */
    public JsonParser parserAt(long byteOffset) {
        if (bytes == null || byteOffset < 0 || byteOffset >= length) {
            throw new IllegalArgumentException("no byte " + byteOffset + " in this value");
        }
        return Json.mapper().createParser(bytes, offset + (int) byteOffset, length - (int) byteOffset);
    }

    /** The value as a tree, built on the first call (from bytes that read without error before). */
    public synchronized JsonNode tree() {
        if (tree == null) {
            try (JsonParser p = parser()) {
                tree = TREE.readValue(p);
            }
        }
        return tree;
    }

    /**
     * Reads the value at the parser in full, as building its tree would, without building it:
     * every token, every string decoded (so invalid UTF-8, a bad escape and the string length
     * limit fail here, with the very message the tree's reader gives), nothing kept. Jackson's
     * {@code skipChildren} skips strings undecoded, which would let a value that a tree refuses
     * through; no Jackson call reads without materialising, hence this loop.
     */
    public static void readFully(JsonParser p) {
        int depth = 0;
        JsonToken t = p.currentToken();
        while (true) {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == JsonToken.VALUE_STRING && p.getStringLength() > Json.MAX_STRING_LENGTH) {
                // The length is only checked when a String is made: make it, to fail as the tree's reader does.
                p.getString();
            }
            if (depth <= 0) {
                return;
            }
            t = p.nextToken();
        }
    }

    /** Two values are equal when their trees are (for tests and records that hold one). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectJson other && tree().equals(other.tree());
    }

    @Override
    public int hashCode() {
        return tree().hashCode();
    }

    @Override
    public String toString() {
        return bytes != null && tree == null ? new String(Arrays.copyOfRange(bytes, offset, offset + length), java.nio.charset.StandardCharsets.UTF_8)
                : String.valueOf(tree);
    }
}
