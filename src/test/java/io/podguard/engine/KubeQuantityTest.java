package io.podguard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Quantities read and written as k8s.io/apimachinery v0.37.2 does; the expected texts are what its {@code Quantity.String()} printed. */
class KubeQuantityTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0|0", "1|1", "1.5|1500m", "1.5Gi|1536Mi", "0.5Gi|512Mi", "1.1Mi|1153433600m", "1024Mi|1Gi", "01Mi|01Mi",
            "2048Ki|2Mi", "100m|100m", "1000m|1", "1e3|1e3", "1e2|100", "0.1|100m", "+1|+1", "2500m|2500m", "m|0", ".|0",
            "1.G|1.G", "1e-3|1e-3", "0.0000000001|1n", "12e2|1200", "1234567|1234567", "5Gi|5Gi", "1000Ki|1000Ki",
            "1536Mi|1536Mi", "0.5|500m", "-1|-1", "1E3|1E3", "1.5e3|1500", "1e1000|10e999", "1e-9|1e-9", "1e999|1e999"})
    void textIsTheApiserversWhenParsed(String written, String canonical) {
        assertThat(KubeQuantity.parse(written).text()).isEqualTo(canonical);
    }

    @Test
    void valueIsExactAndRoundedUpBelowTheNano() {
        assertThat(KubeQuantity.parse("1.5Gi").value()).isEqualByComparingTo("1610612736");
        assertThat(KubeQuantity.parse("0.0000000001").value()).isEqualByComparingTo("0.000000001");
        assertThat(KubeQuantity.parse("9Ei").value()).isEqualByComparingTo(BigDecimal.valueOf(Long.MAX_VALUE));
    }

    @Test
    void milliAndWholeValuesRoundUpAsLimitRangerReadsThem() {
        assertThat(KubeQuantity.parse("100500u").milliCeil()).isEqualTo(BigInteger.valueOf(101));
        assertThat(KubeQuantity.parse("1500m").ceil()).isEqualTo(BigInteger.TWO);
    }

    @Test
    void refusesWhatTheApiserverRefuses() {
        assertThatThrownBy(() -> KubeQuantity.parse("3e")).hasMessage("unable to parse quantity's suffix");
        assertThatThrownBy(() -> KubeQuantity.parse("1Ki1")).hasMessage("unable to parse quantity's suffix");
        assertThatThrownBy(() -> KubeQuantity.parse("")).hasMessageContaining("must match the regular expression");
        assertThatThrownBy(() -> KubeQuantity.parse("1Qi")).hasMessageContaining("must match the regular expression");
        assertThatThrownBy(() -> KubeQuantity.parse("1 Gi")).hasMessageContaining("must match the regular expression");
    }

    @Test
    void hugeExponentsAndLongTextsAreRefusedCheaply() {
        assertThatThrownBy(() -> KubeQuantity.parse("1e999999999")).hasMessage("unable to parse quantity's suffix");
        assertThatThrownBy(() -> KubeQuantity.parse("1".repeat(100_000))).hasMessageContaining("must match");
        assertThat(KubeQuantity.parse("1e1000").ceil().bitLength()).isGreaterThan(3000);
    }

    @Test
    void sumsAreWrittenInTheFirstAddendsFormatAsQuantityAddDoes() {
        assertThat(KubeQuantity.parse("1Gi").plus(KubeQuantity.parse("512Mi")).text()).isEqualTo("1536Mi");
        assertThat(KubeQuantity.parse("500m").plus(KubeQuantity.parse("1")).text()).isEqualTo("1500m");
        assertThat(KubeQuantity.parse("1G").plus(KubeQuantity.parse("1Gi")).text()).isEqualTo("2073741824");
        assertThat(KubeQuantity.ZERO.plus(KubeQuantity.parse("1Gi")).text()).isEqualTo("1Gi");
    }
}
