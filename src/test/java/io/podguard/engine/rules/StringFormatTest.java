package io.podguard.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** format() with cel-go's and golang.org/x/text's outputs (each checked against celeval in CelDifferentialIT). */
class StringFormatTest {

    private static String format(String expression) {
        CompiledExpression c = KubernetesCel.get().compile(expression, KubernetesCel.Scope.NONE, KubernetesCel.Result.STRING);
        KubernetesCel.Outcome o = KubernetesCel.get().evaluate(c, KubernetesCel.resolver(Map.of()), KubernetesCel.PER_CALL_LIMIT);
        return o.failed() ? "error: " + o.error() : (String) o.value();
    }

    @Test
    void formatWhenNumbersThenGoAndXTextForms() {
        assertThat(format("'%f'.format([1234567.5])")).isEqualTo("1,234,567.500000");
        assertThat(format("'%.0f %.0f'.format([2.5, 3.5])")).isEqualTo("2 4");
        // the precision is a uint8 for the fraction x/text keeps: 1,000 is 232
        assertThat(format("'%.1000f'.format([1.0])")).hasSize(234);
        assertThat(format("'%e|%.2e|%.0e'.format([1234567.5, 0.000123, -1.5])")).isEqualTo("1.234568×10⁰⁶|1.230000×10⁻⁰⁴|-1.500000×10⁰⁰");
        assertThat(format("'%e'.format(['-Infinity'])")).isEqualTo("    -∞");
        assertThat(format("'%s %s %s %s'.format([1000000.0, 100000.0, 5e-324, -0.0])")).isEqualTo("1e+06 100000 5e-324 -0");
        assertThat(format("'%s'.format([[1.5, double('Inf')]])")).isEqualTo("[1.500000, \"+Inf\"]");
        assertThat(format("'%b %o %x %X'.format([-5, -8, 'é', b'\\xab'])")).isEqualTo("-101 -10 c3a9 AB");
    }

    @Test
    void formatWhenListsMapsAndTimesThenCelLiterals() {
        assertThat(format("'%s'.format([{'b': 1, 1: [b'x', null], 'a': 'q\"'}])")).isEqualTo("{\"a\":\"q\\\"\", \"b\":1, 1:[b\"x\", null]}");
        assertThat(format("'%s %s'.format([[duration('1.5s')], timestamp('2023-02-03T23:31:20.120Z')])"))
                .isEqualTo("[duration(\"1.5s\")] 2023-02-03T23:31:20.12Z");
        assertThat(format("'%s'.format([[int, type(1.0)]])")).isEqualTo("[int, double]");
    }

    @Test
    void formatWhenClausesDoNotFitThenTheApiserversErrors() {
        assertThat(format("'%d'.format([dyn(1.5)])")).isEqualTo("error: error during formatting: decimal clause can only be used on integers, was given double");
        assertThat(format("'%s %s'.format(['a'].map(x, x))")).isEqualTo("error: index 1 out of range");
        assertThatThrownBy(() -> format("'%q'.format([1])")).hasMessageContaining("could not parse formatting clause: unrecognized formatting clause \"q\"");
        assertThatThrownBy(() -> format("'%s'.format(['a', 'b'])")).hasMessageContaining("too many arguments supplied to string.format (expected 1, got 2)");
        assertThatThrownBy(() -> format("'%s'.format([optional.of(1)])")).hasMessageContaining("was given optional_type");
        assertThat(List.of(format("'%s %d'.format(['mixed', 1])"))).containsExactly("mixed 1");
    }
}
