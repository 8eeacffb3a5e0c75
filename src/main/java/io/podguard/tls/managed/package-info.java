/**
 * Self-managed certificates: a CA and a serving certificate kept in one Secret shared by every
 * replica, their CA bundle injected into podguard's webhook configurations, renewed before expiry.
 * Plain Java on the fabric8 client; the Spring wiring is {@code server.ManagedCertificatesConfiguration}.
 */
@NullMarked
package io.podguard.tls.managed;

import org.jspecify.annotations.NullMarked;
