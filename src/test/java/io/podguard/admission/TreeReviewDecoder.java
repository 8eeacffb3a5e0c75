package io.podguard.admission;

import io.podguard.engine.Json;
import io.podguard.engine.Text;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;

/**
 * The review decoder as it was before it streamed: the whole body read into one tree, the
 * request's fields read from it. The streaming decoder must answer every body exactly as this one
 * does ({@code StreamingDecodeTest}).
 */
final class TreeReviewDecoder {

    private TreeReviewDecoder() {
    }

    static AdmissionRequest decode(byte[] body) throws BadReviewException {
        if (body.length > AdmissionReviewCodec.MAX_BODY_BYTES) {
            throw new BadReviewException(413, "request body exceeds " + AdmissionReviewCodec.MAX_BODY_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (StreamConstraintsException e) {
            throw new BadReviewException(400, "malformed JSON: " + Text.oneLine(e.getOriginalMessage(), "unreadable"));
        } catch (JacksonException e) {
            throw new BadReviewException(400, "malformed JSON: " + AdmissionReviewCodec.jsonError(e));
        }
        if (root == null || root.isMissingNode()) {
            throw new BadReviewException(400, "body is empty: expected an AdmissionReview");
        }
        if (!root.isObject()) {
            throw new BadReviewException(400, "body is not an AdmissionReview: expected a JSON object");
        }
        String kind = text(root, "kind");
        if (!"AdmissionReview".equals(kind)) {
            throw new BadReviewException(400, "body is not an AdmissionReview: kind is " + AdmissionReviewCodec.quote(kind));
        }
        String apiVersion = text(root, "apiVersion");
        if (!AdmissionReviewCodec.V1.equals(apiVersion) && !AdmissionReviewCodec.V1BETA1.equals(apiVersion)) {
            throw new BadReviewException(400, "unsupported AdmissionReview apiVersion " + AdmissionReviewCodec.quote(apiVersion)
                    + ": expected " + AdmissionReviewCodec.V1 + " or " + AdmissionReviewCodec.V1BETA1);
        }
        JsonNode request = root.get("request");
        if (request == null || !request.isObject()) {
            throw new BadReviewException(400, "AdmissionReview has no request");
        }
        JsonNode uidNode = request.get("uid");
        if (uidNode != null && !uidNode.isString() && !uidNode.isNull()) {
            throw new BadReviewException(400, "AdmissionReview request.uid must be a string");
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
            throw new BadReviewException(400, "AdmissionReview request.operation " + AdmissionReviewCodec.quote(operation)
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
                AdmissionReviewCodec.emptyToNull(text(request, "namespace")),
                AdmissionReviewCodec.emptyToNull(text(request, "name")),
                dryRun != null && dryRun.isBoolean() && dryRun.booleanValue(),
                userInfo == null ? null : text(userInfo, "username"),
                List.copyOf(groups),
                AdmissionReviewCodec.nullToNull(request.get("object")) instanceof JsonNode object ? io.podguard.engine.ObjectJson.of(object) : null,
                AdmissionReviewCodec.nullToNull(request.get("oldObject")));
    }


    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isString() ? v.asString() : null;
    }
}
