package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {

    @Test
    void closestWhenCloseThenSuggestedElseNothing() {
        assertThat(DidYouMean.closest("podSecurty", List.of("mode", "podSecurity", "defaults"))).isEqualTo("podSecurity");
        assertThat(DidYouMean.closest("exmeptions", List.of("exemptions", "namespaces"))).isEqualTo("exemptions");
        assertThat(DidYouMean.closest("colour", List.of("mode", "podSecurity"))).isNull();
    }
}
