package io.podguard.admission;

/**
 * One concern about Namespaces, behind a webhook of its own ({@code /namespaces/ID}): each
 * has its own webhook configuration, so its own failurePolicy and selectors (guarding the
 * opt-out label must fail closed; a dry run that only warns may fail open).
 */
public interface NamespaceHandler {

    /** The path segment: {@code /namespaces/ID}. */
    String id();

    /** The answer to a Namespace CREATE or UPDATE; other operations never reach a handler. */
    AdmissionResponse review(AdmissionRequest request);

    /** Decodes a Namespace review, asks {@code handler}, encodes its answer; anything but a Namespace write is allowed. */
    static byte[] handle(NamespaceHandler handler, byte[] body) throws BadReviewException {
        AdmissionRequest request = AdmissionReviewCodec.decode(body);
        AdmissionResponse response;
        if ("Namespace".equals(request.kind()) && request.group().isEmpty() && request.subResource().isEmpty()
                && (request.isCreate() || request.isUpdate())) {
            if (request.object() == null) {
                throw new BadReviewException(400, "AdmissionReview request.object is missing for " + request.operation());
            }
            response = handler.review(request);
        } else {
            response = AdmissionResponse.allow(request.uid());
        }
        return AdmissionReviewCodec.encode(request.apiVersion(), response);
    }
}
