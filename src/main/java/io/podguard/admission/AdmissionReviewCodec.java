package io.podguard.admission;

import io.podguard.engine.Text;

import io.podguard.engine.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;

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

    public static AdmissionRequest decode(byte[] body) throws BadReviewException {
        if (body.length > MAX_BODY_BYTES) {
            throw new BadReviewException(413, "request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (StreamConstraintsException e) {
            throw new BadReviewException(400, "malformed JSON: " + Text.oneLine(e.getOriginalMessage(), "unreadable"));
        } catch (JacksonException e) {
            throw new BadReviewException(400, "malformed JSON: " + Text.oneLine(e.getOriginalMessage(), "unreadable"));
        }
        if (root == null || !root.isObject()) {
            throw new BadReviewException(400, "body is not an AdmissionReview: expected a JSON object");
        }
        String kind = text(root, "kind");
        if (!"AdmissionReview".equals(kind)) {
            throw new BadReviewException(400, "body is not an AdmissionReview: kind is " + quote(kind));
        }
        String apiVersion = text(root, "apiVersion");
        if (!V1.equals(apiVersion) && !V1BETA1.equals(apiVersion)) {
            throw new BadReviewException(400, "unsupported AdmissionReview apiVersion " + quote(apiVersion)
                    + ": expected " + V1 + " or " + V1BETA1);
        }
        JsonNode request = root.get("request");
        if (request == null || !request.isObject()) {
            throw new BadReviewException(400, "AdmissionReview has no request");
        }
        String uid = text(request, "uid");
        if (uid == null || uid.isEmpty()) {
            throw new BadReviewException(400, "AdmissionReview request has no uid");
        }
        JsonNode kindNode = request.get("kind");
        String objectKind = kindNode == null ? null : text(kindNode, "kind");
        if (objectKind == null || objectKind.isEmpty()) {
            throw new BadReviewException(400, "AdmissionReview request has no kind.kind");
        }
        String operation = text(request, "operation");
        if (operation == null || !List.of("CREATE", "UPDATE", "DELETE", "CONNECT").contains(operation)) {
            throw new BadReviewException(400, "AdmissionReview request.operation " + quote(operation)
                    + " is not one of CREATE, UPDATE, DELETE, CONNECT");
        }
        JsonNode resourceNode = request.get("resource");
        JsonNode userInfo = request.get("userInfo");
        List<String> groups = new ArrayList<>();
        if (userInfo != null && userInfo.get("groups") instanceof JsonNode g && g.isArray()) {
            for (JsonNode group : g) {
                if (group.isString()) {
                    groups.add(group.asString());
                }
            }
        }
        JsonNode dryRun = request.get("dryRun");
        return new AdmissionRequest(
                apiVersion,
                uid,
                Text.orEmpty(text(kindNode, "group")),
                Text.orEmpty(text(kindNode, "version")),
                objectKind,
                resourceNode == null ? "" : Text.orEmpty(text(resourceNode, "resource")),
                Text.orEmpty(text(request, "subResource")),
                operation,
                emptyToNull(text(request, "namespace")),
                emptyToNull(text(request, "name")),
                dryRun != null && dryRun.isBoolean() && dryRun.booleanValue(),
                userInfo == null ? null : text(userInfo, "username"),
                List.copyOf(groups),
                nullToNull(request.get("object")),
                nullToNull(request.get("oldObject")));
    }

    /** The status reason of a denial's code, as the apiserver pairs them ({@code reasonToCode}'s inverse). */
    static String reason(int code) {
        return switch (code) {
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 413 -> "RequestEntityTooLarge";
            default -> "Invalid";
        };
    }

    /** Writes the response AdmissionReview, echoing the request's apiVersion and uid. */
    public static byte[] encode(String apiVersion, AdmissionResponse response) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(512);
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
        return out.toByteArray();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isString() ? v.asString() : null;
    }

    private static JsonNode nullToNull(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }


    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String quote(String s) {
        return s == null ? "(none)" : "\"" + (s.length() > 100 ? s.substring(0, 100) + "…" : s) + "\"";
    }

}
