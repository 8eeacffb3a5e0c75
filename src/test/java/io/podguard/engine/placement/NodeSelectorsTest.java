package io.podguard.engine.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** PodNodeSelector's selector text and label-set operations. */
class NodeSelectorsTest {

    @Test
    void parseWhenSpacesAroundKeysAndValuesThenIgnored() {
        assertThat(NodeSelectors.parse(" infra = false , env=dev")).containsExactly(Map.entry("infra", "false"), Map.entry("env", "dev"));
    }

    @Test
    void parseWhenEmptyThenNoLabelsAndWhenRepeatedThenTheLastWins() {
        assertThat(NodeSelectors.parse("")).isEmpty();
        assertThat(NodeSelectors.parse("env=a,env=b")).containsExactly(Map.entry("env", "b"));
        assertThat(NodeSelectors.parse("env=")).containsExactly(Map.entry("env", ""));
    }

    @Test
    void parseWhenNotKeyValueThenRefusedNamingThePair() {
        assertThatThrownBy(() -> NodeSelectors.parse("env")).hasMessage("\"env\" is not key=value");
        assertThatThrownBy(() -> NodeSelectors.parse("env==a")).hasMessage("\"env==a\" is not key=value");
        assertThatThrownBy(() -> NodeSelectors.parse("a=b,")).hasMessage("\"\" is not key=value");
        assertThatThrownBy(() -> NodeSelectors.parse(" ")).hasMessage("\"\" is not key=value");
    }

    @Test
    void parseWhenBadLabelThenRefusedWithTheReason() {
        assertThatThrownBy(() -> NodeSelectors.parse("Bad Key=a")).hasMessageStartingWith("label key \"Bad Key\": the name part must consist");
        assertThatThrownBy(() -> NodeSelectors.parse("team=-x")).hasMessageStartingWith("label team value \"-x\": a label value must consist");
        assertThatThrownBy(() -> NodeSelectors.parse("a/b/c=x")).hasMessage("label key \"a/b/c\": a label key has at most one '/'");
    }

    @Test
    void conflictsWhenSameKeyOtherValueThenTrue() {
        assertThat(NodeSelectors.conflicts(Map.of("env", "a"), Map.of("env", "b", "x", "y"))).isTrue();
        assertThat(NodeSelectors.conflicts(Map.of("env", "a"), Map.of("env", "a", "x", "y"))).isFalse();
        assertThat(NodeSelectors.conflicts(Map.of(), Map.of("env", "a"))).isFalse();
    }

    @Test
    void isSubsetWhenEmptyWhitelistThenEverythingElseExactPairs() {
        assertThat(NodeSelectors.isSubset(Map.of("env", "a"), Map.of())).isTrue();
        assertThat(NodeSelectors.isSubset(Map.of("env", "a"), Map.of("env", "a", "x", "y"))).isTrue();
        assertThat(NodeSelectors.isSubset(Map.of("env", "a"), Map.of("env", "b"))).isFalse();
        assertThat(NodeSelectors.isSubset(Map.of("z", "a"), Map.of("env", "a"))).isFalse();
    }

    @Test
    void formatWhenAnyOrderThenSortedPairs() {
        assertThat(NodeSelectors.format(Map.of("team", "ml", "accelerator", "gpu"))).isEqualTo("accelerator=gpu,team=ml");
    }

    @Test
    void labelSyntaxWhenPrefixedKeysAndLongValuesThenAsKubernetes() {
        assertThat(LabelSyntax.keyError("example.com/tier")).isNull();
        assertThat(LabelSyntax.keyError("/tier")).isEqualTo("the prefix before / is empty");
        assertThat(LabelSyntax.keyError("Example.com/tier")).startsWith("the prefix must be a DNS subdomain");
        assertThat(LabelSyntax.keyError("a".repeat(64))).isEqualTo("the name part is longer than 63 characters");
        assertThat(LabelSyntax.valueError("")).isNull();
        assertThat(LabelSyntax.valueError("a".repeat(64))).isEqualTo("a label value is at most 63 characters");
        assertThat(LabelSyntax.valueError("a_b.c-d")).isNull();
    }
}
