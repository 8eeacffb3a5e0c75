package io.podguard.admission;

import io.podguard.engine.Text;

import io.podguard.engine.Json;
import io.podguard.engine.ObjectJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/** Reads AdmissionReview requests ({@code v1} and {@code v1beta1}) and writes responses. */
public final class AdmissionReviewCodec {

    public static final String V1 = "admission.k8s.io/v1";
    public static final String V1BETA1 = "admission.k8s.io/v1beta1";
    /** The apiserver's limit on a request body (its {@code MaxRequestBodyBytes}, not configurable). */
    public static final int APISERVER_MAX_REQUEST_BYTES = 3 * 1024 * 1024;
    /**
     * The largest review the apiserver sends: {@code object} and {@code oldObject} (on UPDATE),
     * each from a request of up to {@link #APISERVER_MAX_REQUEST_BYTES}, re-encoded by Go's JSON
     * encoder, which writes {@code <}, {@code >} and {@code &} (and control characters a
     * protobuf client sent raw) as six bytes each, plus the review around them. A pod padded with
     * {@code <} is judged, not refused as too large (and let through under {@code failurePolicy:
     * Ignore}).
     */
    public static final int MAX_BODY_BYTES = 2 * 6 * APISERVER_MAX_REQUEST_BYTES + 1024 * 1024;

    private AdmissionReviewCodec() {
    }

    /**
     * Reads the review as a stream: the request's fields straight from the parser, a tree only for
     * {@code object} and {@code oldObject} (what podguard judges and patches) and for the fields it
     * does not read (a few small objects: every value is still read in full, so the read limits
     * hold for them as for the rest). A whole tree of the review was the largest garbage of a
     * review. Every body is answered as reading the whole tree first answered it: a syntax error
     * or a read limit anywhere before any check of the content, the last of duplicate keys wins.
     */
    public static AdmissionRequest decode(byte[] body) throws BadReviewException {
        if (body.length > MAX_BODY_BYTES) {
            throw new BadReviewException(413, "request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        Review review;
        try (JsonParser p = Json.mapper().createParser(body)) {
            review = Review.read(p, body);
        } catch (JacksonException e) {
            throw new BadReviewException(400, "malformed JSON: " + jsonError(e));
        }
        if (review.empty) {
            throw new BadReviewException(400, "body is empty: expected an AdmissionReview");
        }
        if (!review.object) {
            throw new BadReviewException(400, "body is not an AdmissionReview: expected a JSON object");
        }
        if (!"AdmissionReview".equals(review.kind)) {
            throw new BadReviewException(400, "body is not an AdmissionReview: kind is " + quote(review.kind));
        }
        String apiVersion = review.apiVersion;
        if (!V1.equals(apiVersion) && !V1BETA1.equals(apiVersion)) {
            throw new BadReviewException(400, "unsupported AdmissionReview apiVersion " + quote(apiVersion)
                    + ": expected " + V1 + " or " + V1BETA1);
        }
        Request request = review.request;
        if (request == null) {
            throw new BadReviewException(400, "AdmissionReview has no request");
        }
        if (request.uidNotString) {
            // The apiserver's AdmissionRequest.uid is a string: it never sends anything else.
            throw new BadReviewException(400, "AdmissionReview request.uid must be a string");
        }
        if (request.uid == null || request.uid.isEmpty()) {
            throw new BadReviewException(400, "AdmissionReview request has no uid");
        }
        if (request.kind == null || request.kind.isEmpty()) {
            throw new BadReviewException(400, "AdmissionReview request has no kind.kind");
        }
        String operation = request.operation;
        if (operation == null || !OPERATIONS.contains(operation)) {
            throw new BadReviewException(400, "AdmissionReview request.operation " + quote(operation)
                    + " is not one of CREATE, UPDATE, DELETE, CONNECT");
        }
        return new AdmissionRequest(
                apiVersion,
                request.uid,
                Text.orEmpty(request.group),
                Text.orEmpty(request.version),
                request.kind,
                Text.orEmpty(request.resource),
                Text.orEmpty(request.subResource),
                operation,
                emptyToNull(request.namespace),
                emptyToNull(request.name),
                request.dryRun,
                request.username,
                request.groups,
                request.object,
                nullToNull(request.oldObject));
    }

    /**
     * Jackson's message, without the note it adds to an unclosed object or array ("(start marker at
     * [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); byte offset:
     * #UNKNOWN])"), which names nothing a client could use.
     */
    static String jsonError(JacksonException e) {
        String message = Text.oneLine(e.getOriginalMessage(), "unreadable");
        int note = message.indexOf(" (start marker at [Source:");
        return note >= 0 ? message.substring(0, note) : message;
    }

    /** One value of the review as a tree, where the parser is (not the whole body: nothing after it is read). */
    private static final ObjectReader TREE = Json.mapper().readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final List<String> OPERATIONS = List.of("CREATE", "UPDATE", "DELETE", "CONNECT");
    /** What Jackson says of a second value after the body's (it reads the body as one JSON value). */
    private static final String TRAILING = "Trailing token (`JsonToken.%s`) found after value (bound as `"
            + JsonNode.class.getName() + "`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`";

    /** The review's own fields; {@code object}: whether the body is a JSON object at all. */
    private static final class Review {
        boolean object;
        /** No JSON value at all: an empty body, or only white space. */
        boolean empty;
        String kind;
        String apiVersion;
        /** Null when there is none or it is not an object. */
        Request request;

        static Review read(JsonParser p, byte[] body) {
            Review review = new Review();
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                review.object = true;
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    switch (name) {
                        case "kind" -> review.kind = string(p);
                        case "apiVersion" -> review.apiVersion = string(p);
                        case "request" -> review.request = p.currentToken() == JsonToken.START_OBJECT ? Request.read(p, body) : consume(p);
                        default -> consume(p);
                    }
                }
            } else if (first != null) {
                TREE.readValue(p);
            } else {
                review.empty = true;
            }
            JsonToken trailing = p.nextToken();
            if (first != null && trailing != null) {
                throw new StreamReadException(p, String.format(TRAILING, trailing.name()));
            }
            return review;
        }
    }

    /** The fields of {@code request} podguard reads; the last of duplicate keys wins, as in a tree. */
    private static final class Request {
        String uid;
        /** The last {@code uid} is a number, an object, an array or a boolean (null is as absent). */
        boolean uidNotString;
        String group;
        String version;
        String kind;
        String resource;
        String subResource;
        String operation;
        String namespace;
        String name;
        boolean dryRun;
        String username;
        List<String> groups = List.of();
        /** Null when there is none or it is JSON null. */
        ObjectJson object;
        JsonNode oldObject;

        static Request read(JsonParser p, byte[] body) {
            Request r = new Request();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "uid" -> {
                        r.uidNotString = p.currentToken() != JsonToken.VALUE_STRING && p.currentToken() != JsonToken.VALUE_NULL;
                        r.uid = string(p);
                    }
                    case "kind" -> {
                        // A later "kind" replaces an earlier one whole, as in a tree.
                        r.group = null;
                        r.version = null;
                        r.kind = null;
                        readFields(p, r, Request::kindField);
                    }
                    case "resource" -> {
                        r.resource = null;
                        readFields(p, r, Request::resourceField);
                    }
                    case "subResource" -> r.subResource = string(p);
                    case "operation" -> r.operation = string(p);
                    case "namespace" -> r.namespace = string(p);
                    case "name" -> r.name = string(p);
                    case "userInfo" -> {
                        r.username = null;
                        r.groups = List.of();
                        readFields(p, r, Request::userInfoField);
                    }
                    case "dryRun" -> {
                        r.dryRun = p.currentToken() == JsonToken.VALUE_TRUE;
                        consume(p);
                    }
                    case "object" -> r.object = object(p, body);
                    case "oldObject" -> r.oldObject = TREE.readValue(p);
                    default -> consume(p);
                }
            }
            return r;
        }

        private static void kindField(Request r, String field, JsonParser p) {
            switch (field) {
                case "group" -> r.group = string(p);
                case "version" -> r.version = string(p);
                case "kind" -> r.kind = string(p);
                default -> consume(p);
            }
        }

        private static void resourceField(Request r, String field, JsonParser p) {
            if (field.equals("resource")) {
                r.resource = string(p);
            } else {
                consume(p);
            }
        }

        private static void userInfoField(Request r, String field, JsonParser p) {
            if (field.equals("username")) {
                r.username = string(p);
            } else if (field.equals("groups") && p.currentToken() == JsonToken.START_ARRAY) {
                List<String> read = new ArrayList<>(4);
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String group = string(p);
                    if (group != null) {
                        read.add(group);
                    }
                }
                r.groups = List.copyOf(read);
            } else {
                if (field.equals("groups")) {
                    r.groups = List.of();
                }
                consume(p);
            }
        }
    }

    /**
     * {@code object}, the parser at its value: an object is read in full but kept as its bytes (its
     * tree is built only if something needs it); anything else as a tree, as before.
     */
    private static ObjectJson object(JsonParser p, byte[] body) {
        if (p.currentToken() == JsonToken.START_OBJECT) {
            long start = p.currentTokenLocation().getByteOffset();
            ObjectJson.readFully(p);
            long end = p.currentTokenLocation().getByteOffset() + 1;
            return ObjectJson.ofObjectBytes(body, (int) start, (int) (end - start));
        }
        JsonNode node = nullToNull(TREE.readValue(p));
        return node == null ? null : ObjectJson.of(node);
    }

    /** Reads one field of a nested object of the request, the parser at its value. */
    private interface FieldReader {
        void read(Request request, String field, JsonParser p);
    }

    /**
     * Hands each field of the object at the parser to {@code reader}; anything but an object is
     * read in full and skipped, as though absent.
     */
    private static void readFields(JsonParser p, Request request, FieldReader reader) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            consume(p);
            return;
        }
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            reader.read(request, field, p);
        }
    }

    /** The string at the parser, or null (the value read in full) when it is anything else. */
    private static String string(JsonParser p) {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        consume(p);
        return null;
    }

    /**
     * Reads the value at the parser, which podguard does not use, as the tree of the whole review
     * read it: every string and number in full, so the read limits hold; nothing is kept. Always null.
     */
    private static <T> T consume(JsonParser p) {
        ObjectJson.readFully(p);
        return null;
    }

    /** The status reason of a denial's code, as the apiserver pairs them ({@code reasonToCode}'s inverse). */
    static String reason(int code) {
        return switch (code) {
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 413 -> "RequestEntityTooLarge";
            case 500 -> "InternalError";
            default -> "Invalid";
        };
    }

    /** Writes the response AdmissionReview, echoing the request's apiVersion and uid. */
    public static byte[] encode(String apiVersion, AdmissionResponse response) {
        // Written into Jackson's pooled buffer, as writeValueAsBytes does, and copied out once at its
        // size: the one array the answer allocates.
        tools.jackson.core.util.BufferRecycler recycler = Json.mapper().tokenStreamFactory()._getBufferRecycler();
        tools.jackson.core.util.ByteArrayBuilder out = new tools.jackson.core.util.ByteArrayBuilder(recycler);
        try (JsonGenerator g = Json.mapper().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("apiVersion", apiVersion);
            g.writeStringProperty("kind", "AdmissionReview");
            g.writeName("response");
            g.writeStartObject();
            g.writeStringProperty("uid", response.uid());
            g.writeBooleanProperty("allowed", response.allowed());
            if (!response.allowed()) {
                g.writeName("status");
                g.writeStartObject();
                g.writeName("metadata");
                g.writeStartObject();
                g.writeEndObject();
                g.writeStringProperty("status", "Failure");
                g.writeStringProperty("message", response.message());
                g.writeStringProperty("reason", reason(response.code()));
                g.writeNumberProperty("code", response.code());
                g.writeEndObject();
            }
            if (response.patch() != null) {
                g.writeStringProperty("patchType", "JSONPatch");
                g.writeBinaryProperty("patch", response.patch());
            }
            if (!response.warnings().isEmpty()) {
                g.writeName("warnings");
                g.writeStartArray();
                for (String w : response.warnings()) {
                    g.writeString(w);
                }
                g.writeEndArray();
            }
            if (!response.auditAnnotations().isEmpty()) {
                g.writeName("auditAnnotations");
                g.writeStartObject();
                for (Map.Entry<String, String> e : response.auditAnnotations().entrySet()) {
                    g.writeStringProperty(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        try {
            return out.getClearAndRelease();
        } finally {
            out.close();
            recycler.releaseToPool();
        }
    }

    static JsonNode nullToNull(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static String quote(String s) {
        return s == null ? "(none)" : "\"" + (s.length() > 100 ? s.substring(0, 100) + "…" : s) + "\"";
    }

}
