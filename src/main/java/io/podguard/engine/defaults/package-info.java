/** Defaulters: what /mutate fills in on a new pod, one class per concern, listed in {@link io.podguard.engine.defaults.Defaulters}. */
@NullMarked
package io.podguard.engine.defaults;

import org.jspecify.annotations.NullMarked;
