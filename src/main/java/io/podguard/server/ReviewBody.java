package io.podguard.server;

import io.podguard.admission.BadReviewException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a review's body into memory that grows with the bytes that actually arrive (never with
 * what {@code Content-Length} announces), charging the {@link MemoryBudget} before each step.
 */
final class ReviewBody {

    /** The first buffer; it doubles as bytes arrive. */
    private static final int FIRST_CHUNK = 16 * 1024;
    /**
     * Heap an evaluation builds per JSON value of the review, strings' characters aside: the
     * parsed tree's node and map entry (about 85 bytes) and the model objects made from it (25
     * to 45 more), with room to spare. Measured on reviews of 100,000 env entries and of
     * {@code [{},{},…]}.
     */
    static final int BYTES_PER_VALUE = 144;

    private ReviewBody() {
    }

    /**
     * Thrown when the budget had no room for the body before the deadline: a 503, not the client's fault.
     */
    static final class NoRoom extends Exception {
        NoRoom(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param length the declared {@code Content-Length}, already checked against the limit
     * @throws BadReviewException 400 when the body ends early or is empty
     * @throws NoRoom when the budget had no room in time
     * @throws IOException when the client stops sending (or its connection is closed at the body deadline)
     */
    static byte[] read(InputStream in, int length, MemoryBudget.Charge charge, long deadlineNanos)
            throws IOException, BadReviewException, NoRoom, InterruptedException {
        if (length == 0) {
            throw new BadReviewException(400, "request body is empty: expected an AdmissionReview");
        }
        byte[] buffer = new byte[0];
        int filled = 0;
        while (filled < length) {
            if (filled == buffer.length) {
                int size = (int) Math.min(length, Math.max(FIRST_CHUNK, 2L * buffer.length));
                if (!charge.add(size - buffer.length, deadlineNanos)) {
                    throw new NoRoom("podguard is at its memory budget for reviews in flight: no room for "
                            + length + " bytes before the request's deadline");
                }
                buffer = Arrays.copyOf(buffer, size);
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new BadReviewException(400, "request body ended after " + filled + " of " + length + " bytes");
            }
            filled += n;
        }
        return buffer;
    }

    /**
     * An estimate, on the safe side, of the heap evaluating {@code body} takes besides the body:
     * {@link #BYTES_PER_VALUE} per JSON value, a byte per decoded string character, and two per
     * character of the longest string while the parser holds it. One pass over the bytes:
     * every value but the first follows a {@code [}, {@code :} or {@code ,} outside a string;
     * a {@code \\uXXXX} escape is one character (Go writes {@code <} so: six bytes, one char).
     */
    static long footprint(byte[] body) {
        long values = 1;
        long chars = 0;
        long longest = 0;
        long current = 0;
        boolean inString = false;
        for (int i = 0; i < body.length; i++) {
            byte b = body[i];
            if (inString) {
                if (b == '"') {
                    inString = false;
                    longest = Math.max(longest, current);
                    continue;
                }
                if (b == '\\') {
                    i += i + 1 < body.length && body[i + 1] == 'u' ? 5 : 1;
                } else if ((b & 0xC0) == 0x80) {
                    continue; // a UTF-8 continuation byte: part of the character already counted
                }
                chars++;
                current++;
            } else if (b == '"') {
                inString = true;
                current = 0;
            } else if (b == ',' || b == ':' || b == '[' || b == '{') {
                values++;
            }
        }
        return values * BYTES_PER_VALUE + chars + 2 * Math.max(longest, current);
    }
}
