package io.podguard.admission;

/**
 * A request podguard cannot answer as a review: an HTTP status and a one-line message. 4xx for
 * bad input; 500 when podguard itself failed on a request it should have answered.
 */
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
