package io.podguard.engine.rules;

import dev.cel.common.types.CelType;
import dev.cel.runtime.CelRuntime;

/**
 * One CEL expression, compiled and type-checked once when the policy loads.
 *
 * @param source the expression as written
 * @param program the program cel-java evaluates
 * @param type the type the checker inferred ({@code dyn} when it depends on the object)
 */
public record CompiledExpression(String source, CelRuntime.Program program, CelType type) {
}
