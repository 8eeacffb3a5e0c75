package io.podguard.admission;

/** A request podguard cannot answer as a review: an HTTP status and a one-line message. */
public final class BadReviewException extends Exception {

    private final int status;

    public BadReviewException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
