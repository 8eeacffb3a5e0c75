package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.admission.AdmissionReviewCodec;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class PodguardPropertiesTest {

    @Test
    void maxReviewBytesWhenUnsetThenTheLargestReviewTheApiserverSends() {
        assertThat(properties(null).maxReviewBytes()).isEqualTo(DataSize.ofBytes(AdmissionReviewCodec.MAX_BODY_BYTES));
    }

    @Test
    void maxReviewBytesWhenLowerThenKept() {
        assertThat(properties(DataSize.ofMegabytes(4)).maxReviewBytes()).isEqualTo(DataSize.ofMegabytes(4));
    }

    @Test
    void maxReviewBytesWhenAboveWhatTheDecoderTakesThenRefusedAtStartup() {
        assertThatThrownBy(() -> properties(DataSize.ofMegabytes(64)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("podguard.max-review-bytes must be between 1 and 38797312 bytes (the largest review the apiserver sends), not 67108864");
    }

    @Test
    void maxReviewBytesWhenZeroThenRefusedAtStartup() {
        assertThatThrownBy(() -> properties(DataSize.ofBytes(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("podguard.max-review-bytes must be between 1 and 38797312 bytes (the largest review the apiserver sends), not 0");
    }

    private static PodguardProperties properties(DataSize maxReviewBytes) {
        return new PodguardProperties(null, null, null, null, maxReviewBytes, null, null, null, null, null);
    }
}
