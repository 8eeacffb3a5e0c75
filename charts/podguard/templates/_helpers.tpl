{{/* The chart name, overridable. */}}
{{- define "podguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of every resource: release name + chart name, unless the release name already says podguard. */}}
{{- define "podguard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "podguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "podguard.labels" -}}
helm.sh/chart: {{ include "podguard.chart" . }}
{{ include "podguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/part-of: podguard
{{- end }}

{{/* Labels that select the pods: never change them after the first install. */}}
{{- define "podguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "podguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "podguard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "podguard.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Service's DNS names: what the apiserver dials and the serving certificate must name. */}}
{{- define "podguard.dnsNames" -}}
{{- $svc := include "podguard.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson }}
{{- end }}

{{/* The policy text: the policy value, else the embedded default. */}}
{{- define "podguard.policyText" -}}
{{- if .Values.policy }}
{{- .Values.policy }}
{{- else }}
{{- .Files.Get "files/default-policy.yaml" }}
{{- end }}
{{- end }}

{{/* The policy's mode: enforce | audit | warn (a PodSecurityPolicy document enforces). */}}
{{- define "podguard.policyMode" -}}
{{- $policy := fromYaml (include "podguard.policyText" .) | default dict -}}
{{- $mode := $policy.mode | default (dig "spec" "mode" "" $policy) -}}
{{- $mode | default "enforce" -}}
{{- end }}

{{/*
Whether anything in the policy can deny a pod: the top-level mode is enforce (its default), or any
section, namespace override, rule or binding says enforce or Deny (podSecurity.enforce, mode:
enforce anywhere, a ValidatingAdmissionPolicyBinding with Deny), a PodSecurityPolicy is given (PSPs
enforce), or namespaceLabelOverrides lets the podguard.io/mode label switch a namespace to enforce
(the chart cannot know the labels, so it counts as enforcing). Read from the text on the safe
side: a comment that says enforce counts too.
*/}}
{{- define "podguard.policyCanDeny" -}}
{{- $text := include "podguard.policyText" . -}}
{{- $deny := eq (include "podguard.policyMode" .) "enforce" -}}
{{- if regexMatch `(^|[\s{,])["']?mode["']?\s*:\s*["']?enforce\b` $text }}{{ $deny = true }}{{ end -}}
{{- if regexMatch `(^|[\s{,])["']?enforce["']?\s*:` $text }}{{ $deny = true }}{{ end -}}
{{- if regexMatch `kind["']?\s*:\s*["']?(PodSecurityPolicy|PodSecurityPolicyList)\b` $text }}{{ $deny = true }}{{ end -}}
{{- if regexMatch `namespaceLabelOverrides["']?\s*:\s*["']?true` $text }}{{ $deny = true }}{{ end -}}
{{- /* PSA's namespace labels can make any namespace enforce, as a PodSecurityConfiguration reads them */}}
{{- if regexMatch `namespaceLabels["']?\s*:\s*["']?true` $text }}{{ $deny = true }}{{ end -}}
{{- if regexMatch `kind["']?\s*:\s*["']?(PodSecurityConfiguration|AdmissionConfiguration)\b` $text }}{{ $deny = true }}{{ end -}}
{{- if and (regexMatch `kind["']?\s*:\s*["']?ValidatingAdmissionPolicyBinding\b` $text) (regexMatch `\bDeny\b` $text) }}{{ $deny = true }}{{ end -}}
{{- if $deny }}true{{ end -}}
{{- end }}

{{/* failurePolicy of the pods validating webhook: the value, else Fail whenever the policy can deny, Ignore only when nothing can. */}}
{{- define "podguard.validatingFailurePolicy" -}}
{{- if .Values.webhooks.validating.failurePolicy }}
{{- .Values.webhooks.validating.failurePolicy }}
{{- else if include "podguard.policyCanDeny" . }}
{{- "Fail" }}
{{- else }}
{{- "Ignore" }}
{{- end }}
{{- end }}

{{/* The namespaces no webhook is sent: kube-system, the release namespace, excludeNamespaces. */}}
{{- define "podguard.excludedNamespaces" -}}
{{- concat (list "kube-system" .Release.Namespace) .Values.webhooks.excludeNamespaces | uniq | toJson }}
{{- end }}

{{/* NoneOnDryRun when podguard writes Events (never on dry-run requests), else None. */}}
{{- define "podguard.sideEffects" -}}
{{- if .Values.events.enabled }}NoneOnDryRun{{ else }}None{{ end }}
{{- end }}

{{/* The Secret the serving certificate lives in, per certificate mode. */}}
{{- define "podguard.tlsSecretName" -}}
{{- $mode := .Values.certificates.mode -}}
{{- if eq $mode "secret" }}
{{- required "certificates.existingSecret is required when certificates.mode=secret" .Values.certificates.existingSecret }}
{{- else }}
{{- printf "%s-tls" (include "podguard.fullname" .) }}
{{- end }}
{{- end }}

{{/* Whether the pod talks to the Kubernetes API at all (else no token is mounted). */}}
{{/*
Whether the replicas elect a leader: leader election is on and something runs once per cluster
(the background audit, or self-managed certificates).
*/}}
{{- define "podguard.leaderElection" -}}
{{- if and .Values.leaderElection.enabled (or (eq .Values.certificates.mode "self") .Values.backgroundAudit.enabled) }}true{{ end }}
{{- end }}

{{- define "podguard.needsApi" -}}
{{- if or (eq .Values.certificates.mode "self") .Values.events.enabled .Values.backgroundAudit.enabled .Values.policyReports.enabled .Values.namespaceLabels.enabled .Values.namespaceResources.enabled }}true{{ end }}
{{- end }}

{{/*
namespaceSelector of every pods and workloads webhook: kube-system and the release namespace are
always out (podguard must never judge the pods that run podguard or the control plane), then the
excludeNamespaces value, the opt-out label when it is on, and the user's own terms.
*/}}
{{- define "podguard.namespaceSelector" -}}
{{- $excluded := include "podguard.excludedNamespaces" . | fromJsonArray -}}
{{- $terms := list (dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" $excluded) -}}
{{- if .Values.webhooks.optOut.enabled }}
{{- $terms = append $terms (dict "key" .Values.webhooks.optOut.label "operator" "NotIn" "values" (list "true")) -}}
{{- end }}
{{- $user := .Values.webhooks.namespaceSelector | default dict -}}
{{- $selector := dict "matchExpressions" (concat $terms ($user.matchExpressions | default list)) -}}
{{- with $user.matchLabels }}
{{- $_ := set $selector "matchLabels" . }}
{{- end }}
{{- toYaml $selector }}
{{- end }}

{{/* Settings every webhook shares. */}}
{{- define "podguard.webhookCommon" -}}
admissionReviewVersions: ["v1"]
matchPolicy: Equivalent
sideEffects: {{ include "podguard.sideEffects" . }}
timeoutSeconds: {{ .Values.webhooks.timeoutSeconds }}
namespaceSelector:
  {{- include "podguard.namespaceSelector" . | nindent 2 }}
{{- with .Values.webhooks.objectSelector }}
objectSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.webhooks.matchConditions }}
matchConditions:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The CA bundle rendered into the webhook configurations (none for cert-manager, which injects it). */}}
{{- define "podguard.caBundle" -}}
{{- $mode := .root.Values.certificates.mode -}}
{{- if eq $mode "secret" }}
{{- required "certificates.caBundle is required when certificates.mode=secret" .root.Values.certificates.caBundle }}
{{- else if eq $mode "helm" }}
{{- (include "podguard.helmCertificates" .root | fromYaml).caBundle }}
{{- else if eq $mode "self" }}
{{- /* Keep what podguard injected, so an upgrade never blanks the bundle until podguard re-injects it. */}}
{{- $live := lookup "admissionregistration.k8s.io/v1" .kind "" (include "podguard.fullname" .root) }}
{{- if $live }}
{{- range $live.webhooks }}
{{- if and (eq .name $.webhook) .clientConfig.caBundle }}
{{- .clientConfig.caBundle }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
mode=helm: a CA and a serving certificate made by Helm, made once: an upgrade finds the Secret
with lookup and keeps them. Memoised on .Values so every template sees the same certificates.
*/}}
{{- define "podguard.helmCertificates" -}}
{{- if not (hasKey .Values "_helmCertificates") }}
{{- $secretName := include "podguard.tlsSecretName" . }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $secretName }}
{{- $certs := dict }}
{{- if and $existing $existing.data (hasKey $existing.data "ca.crt") (hasKey $existing.data "tls.crt") (hasKey $existing.data "tls.key") }}
{{- $certs = dict "caBundle" (index $existing.data "ca.crt") "tlsCrt" (index $existing.data "tls.crt") "tlsKey" (index $existing.data "tls.key") }}
{{- else }}
{{- $days := int .Values.certificates.helm.validityDays }}
{{- $caName := printf "%s-ca" (include "podguard.fullname" .) }}
{{- $names := include "podguard.dnsNames" . | fromJsonArray }}
{{- $ca := dict }}
{{- $cert := dict }}
{{- if eq .Values.certificates.helm.keyAlgorithm "rsa" }}
{{- /* genCA/genSignedCert make RSA 2048 keys (genPrivateKey "rsa" would make 4096) */}}
{{- $ca = genCA $caName $days }}
{{- $cert = genSignedCert (index $names 2) nil $names $days $ca }}
{{- else }}
{{- $ca = genCAWithKey $caName $days (genPrivateKey "ecdsa") }}
{{- $cert = genSignedCertWithKey (index $names 2) nil $names $days $ca (genPrivateKey "ecdsa") }}
{{- end }}
{{- $certs = dict "caBundle" ($ca.Cert | b64enc) "tlsCrt" ($cert.Cert | b64enc) "tlsKey" ($cert.Key | b64enc) }}
{{- end }}
{{- $_ := set .Values "_helmCertificates" $certs }}
{{- end }}
{{- toYaml (get .Values "_helmCertificates") }}
{{- end }}

{{/*
Kubernetes 1.30 or newer. Offline (helm template, no cluster) Helm assumes its built-in version,
v1.20 for many builds: the message says to pass the cluster's version.
*/}}
{{- define "podguard.checkKubeVersion" -}}
{{- if semverCompare "<1.30.0-0" .Capabilities.KubeVersion.Version }}
{{- fail (printf "podguard needs Kubernetes 1.30 or newer (matchConditions, the preStop sleep action), and Helm reports %s. With helm template (no cluster), Helm assumes a version of its own: pass the cluster's, e.g. --kube-version 1.33" .Capabilities.KubeVersion.Version) }}
{{- end }}
{{- end }}
