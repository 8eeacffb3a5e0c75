/** LimitRanger-style resource rules, one class per rule, judged next to the Pod Security Standards checks. */
@NullMarked
package io.podguard.engine.resources;

import org.jspecify.annotations.NullMarked;
