package io.podguard.report;

/** Every metric name and label podguard publishes, in one place (Prometheus names in comments). */
public final class MetricNames {

    /** {@code podguard_admission_requests_total{webhook,operation,allowed,dry_run,mode}} */
    public static final String ADMISSION_REQUESTS = "podguard.admission.requests";
    /** {@code podguard_admission_review_duration_seconds{webhook}}: a histogram */
    public static final String ADMISSION_REVIEW_DURATION = "podguard.admission.review.duration";
    /** {@code podguard_admission_bad_requests_total{webhook,status}} */
    public static final String ADMISSION_BAD_REQUESTS = "podguard.admission.bad.requests";
    /**
     * {@code podguard_admission_rejected_total{reason}}: requests the webhook server answered
     * without a review (413, 503 …) or whose connection it closed at a deadline
     */
    public static final String ADMISSION_REJECTED = "podguard.admission.rejected";
    /** {@code podguard_admission_memory_budget_bytes{state}}: the heap reviews in flight may hold ({@code capacity}) and hold ({@code in_use}) */
    public static final String ADMISSION_MEMORY_BUDGET = "podguard.admission.memory.budget.bytes";
    /** {@code podguard_admission_errors_total{webhook}}: reviews podguard failed through a fault of its own (answered 500) */
    public static final String ADMISSION_ERRORS = "podguard.admission.errors";
    /** Requests refused (workloads: annotated) because their namespace could change the decision and could not be read. */
    public static final String NAMESPACE_UNAVAILABLE = "podguard.admission.namespace.unavailable";
    /**
     * {@code podguard_policy_evaluations_total{check,level,decision,mode}}: every rule of every
     * kind, {@code level} {@code none} for rules without a Pod Security Standards level
     */
    public static final String POLICY_EVALUATIONS = "podguard.policy.evaluations";
    /** {@code podguard_mutations_total{defaulter}} */
    public static final String MUTATIONS = "podguard.mutations";
    /** {@code podguard_config_reloads_total{result}} */
    public static final String CONFIG_RELOADS = "podguard.config.reloads";
    /** {@code podguard_config_last_reload_success_timestamp_seconds} */
    public static final String CONFIG_LAST_RELOAD_SUCCESS = "podguard.config.last.reload.success.timestamp.seconds";
    /** {@code podguard_tls_certificate_expiry_timestamp_seconds} */
    public static final String TLS_CERTIFICATE_EXPIRY = "podguard.tls.certificate.expiry.timestamp.seconds";
    /** {@code podguard_exemptions_applied_total{kind}}: reviews judged under an exemption, by its kind */
    public static final String EXEMPTIONS_APPLIED = "podguard.exemptions.applied";
    /** {@code podguard_exemptions_expired}: exemptions of the policy in force past their expiry date */
    public static final String EXEMPTIONS_EXPIRED = "podguard.exemptions.expired";
    /** {@code podguard_namespace_cache_synced}: 1 once the Namespace informer has listed, else 0 */
    public static final String NAMESPACE_CACHE_SYNCED = "podguard.namespace.cache.synced";
    /** {@code podguard_namespace_resources_cache_synced}: 1 once the LimitRange and ResourceQuota informers have listed, else 0 */
    public static final String NAMESPACE_RESOURCES_SYNCED = "podguard.namespace.resources.cache.synced";
    /** {@code podguard_tls_reloads_total{result}} */
    public static final String TLS_RELOADS = "podguard.tls.reloads";

    /** {@code podguard_events_total{result}}: PolicyViolation Events sent, failed, dropped (queue full), rate_limited, or duplicate (another replica wrote it) */
    public static final String EVENTS = "podguard.events";
    /** {@code podguard_audit_runs_total{result}}: background audits that succeeded or failed */
    public static final String AUDIT_RUNS = "podguard.audit.runs";
    /** {@code podguard_audit_pods{result}}: pods of the last background audit, {@code allowed} or {@code denied} under enforce */
    public static final String AUDIT_PODS = "podguard.audit.pods";
    /** {@code podguard_audit_last_run_timestamp_seconds}: when the last background audit finished */
    public static final String AUDIT_LAST_RUN = "podguard.audit.last.run.timestamp.seconds";
    /** {@code podguard_audit_last_run_duration_seconds}: how long the last background audit took */
    public static final String AUDIT_LAST_RUN_DURATION = "podguard.audit.last.run.duration.seconds";
    /** {@code podguard_audit_pods_judged}: pods the background audit in progress (or this replica's last) has judged so far */
    public static final String AUDIT_PODS_JUDGED = "podguard.audit.pods.judged";
    /** {@code podguard_policy_report_writes_total{result}}: PolicyReports created, updated, unchanged (not written), deleted or failed */
    public static final String POLICY_REPORT_WRITES = "podguard.policy.report.writes";
    /** {@code podguard_leader}: 1 while this replica is the leader (background audit, PolicyReports, the certificate Secret), else 0 */
    public static final String LEADER = "podguard.leader";
    /** {@code podguard_leader_transitions_total{change}}: times this replica became ({@code acquired}) or stopped being ({@code lost}) the leader */
    public static final String LEADER_TRANSITIONS = "podguard.leader.transitions";

    public static final String WEBHOOK = "webhook";
    public static final String OPERATION = "operation";
    public static final String ALLOWED = "allowed";
    public static final String DRY_RUN = "dry_run";
    public static final String MODE = "mode";
    public static final String STATUS = "status";
    public static final String CHECK = "check";
    public static final String LEVEL = "level";
    public static final String DECISION = "decision";
    public static final String DEFAULTER = "defaulter";
    public static final String RESULT = "result";
    public static final String KIND = "kind";
    public static final String CHANGE = "change";

    private MetricNames() {
    }
}
