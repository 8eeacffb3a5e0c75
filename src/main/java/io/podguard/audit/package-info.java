/**
 * The background audit: the cluster's existing pods judged by the same engine and policy
 * resolver as admission, at the level enforcement would use, published as a report
 * ({@code GET /audit}, {@code podguard audit}) and as PolicyReports. No Spring here: the
 * server schedules it, the CLI runs it once.
 */
@NullMarked
package io.podguard.audit;

import org.jspecify.annotations.NullMarked;
