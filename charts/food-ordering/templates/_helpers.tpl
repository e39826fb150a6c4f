{{/* Shared by every component template; each component keeps its own explicit file. */}}

{{- define "fo.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of a component's objects: (dict "root" $ "component" "endpoint") */}}
{{- define "fo.name" -}}
{{- printf "%s-%s" (include "fo.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fo.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "fo.labels" -}}
{{ include "fo.selectorLabels" . }}
app.kubernetes.io/part-of: food-ordering
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Labels for release-wide objects that belong to no single component. */}}
{{- define "fo.releaseLabels" -}}
{{ include "fo.labels" (dict "root" . "component" "release") }}
{{- end -}}

{{/* Pod labels of a Node process: scraped by the PodMonitor; `kafkaClient` lets it through Strimzi's NetworkPolicy. */}}
{{- define "fo.podLabels" -}}
{{ include "fo.labels" . }}
food-ordering.io/metrics: "true"
{{- if .kafkaClient }}
food-ordering.io/kafka-client: "true"
{{- end }}
{{- end -}}

{{/* ---------- Addresses of the release's Services (every URL in env comes from here) ---------- */}}
{{- define "fo.restateIngressUrl" -}}
http://{{ include "fo.name" (dict "root" . "component" "restate") }}:8080
{{- end -}}
{{- define "fo.restateAdminUrl" -}}
http://{{ include "fo.name" (dict "root" . "component" "restate") }}:9070
{{- end -}}
{{/* One endpoint revision's objects and Restate URI: (dict "root" $ "revision" "2") */}}
{{- define "fo.endpointRevisionName" -}}
{{- printf "%s-%s" (include "fo.name" (dict "root" .root "component" "endpoint")) (toString .revision) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "fo.endpointUrl" -}}
http://{{ include "fo.endpointRevisionName" . }}:{{ .root.Values.endpoint.port }}
{{- end -}}
{{/* Every endpoint revision, draining ones first and the current one last: [{revision, image, current}] */}}
{{- define "fo.endpointRevisions" -}}
{{- $out := list -}}
{{- range .Values.endpoint.drainingRevisions -}}
{{- $out = append $out (dict "revision" (toString .revision) "image" .image "current" false) -}}
{{- end -}}
{{- $out = append $out (dict "revision" (toString .Values.endpoint.revision) "image" (include "fo.image" .) "current" true) -}}
{{ toJson $out }}
{{- end -}}
{{- define "fo.paymentUrl" -}}
http://{{ include "fo.name" (dict "root" . "component" "payment") }}:{{ .Values.payment.port }}
{{- end -}}
{{- define "fo.restaurantUrl" -}}
http://{{ include "fo.name" (dict "root" . "component" "restaurant") }}:{{ .Values.restaurant.port }}
{{- end -}}
{{- define "fo.kafkaName" -}}
{{ include "fo.name" (dict "root" . "component" "kafka") }}
{{- end -}}
{{/*
  Where Kafka comes from: "strimzi", "bundled" or "external". kafka.mode empty (the default) keeps
  the behaviour from before the value existed: external when kafka.external.bootstrapServers is
  set, else Strimzi. validate.yaml refuses an explicit mode that contradicts bootstrapServers.
*/}}
{{- define "fo.kafkaMode" -}}
{{- if .Values.kafka.mode -}}
{{ .Values.kafka.mode }}
{{- else if .Values.kafka.external.bootstrapServers -}}
external
{{- else -}}
strimzi
{{- end -}}
{{- end -}}
{{- define "fo.kafkaBootstrap" -}}
{{- $mode := include "fo.kafkaMode" . -}}
{{- if eq $mode "external" -}}
{{ .Values.kafka.external.bootstrapServers }}
{{- else if eq $mode "bundled" -}}
{{ include "fo.kafkaName" . }}:9092
{{- else -}}
{{ include "fo.kafkaName" . }}-kafka-bootstrap:9092
{{- end -}}
{{- end -}}
{{/*
  KRaft cluster id of the bundled broker: kafka.bundled.clusterId, or 16 bytes derived from the
  release's namespace and name (the same on every upgrade, so the formatted volume keeps matching),
  base64url without padding as `kafka-storage random-uuid` prints one.
*/}}
{{- define "fo.kafkaClusterId" -}}
{{- if .Values.kafka.bundled.clusterId -}}
{{ .Values.kafka.bundled.clusterId }}
{{- else -}}
{{- $bytes := printf "%s/%s/kafka" .Release.Namespace .Release.Name | sha256sum | trunc 16 -}}
{{ b64enc $bytes | trimSuffix "==" | replace "+" "-" | replace "/" "_" }}
{{- end -}}
{{- end -}}
{{- define "fo.regionNames" -}}
{{- $names := list -}}
{{- range .Values.regions }}{{ $names = append $names .name }}{{ end -}}
{{ join "," $names }}
{{- end -}}

{{/* ---------- Pod and container building blocks ---------- */}}
{{- define "fo.image" -}}
{{ printf "%s:%s" .Values.global.image.repository (.Values.global.image.tag | toString) }}
{{- end -}}

{{- define "fo.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* `writable`: the root filesystem may be written (only the skaffold dev loop, for file sync). */}}
{{- define "fo.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ not .writable }}
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
  Entry point of a Node process: (dict "root" $ "entry" "services/order-delivery/src/main.ts" "args" list ["longRunning" true])
  `node --watch` (global.devMode) never exits, so only long-running processes (Deployments, `longRunning`)
  get it; a hook Job or a helm test pod with it would never complete.
*/}}
{{- define "fo.nodeCommand" -}}
command:
  - node
  {{- if and .root.Values.global.devMode .longRunning }}
  - --watch
  {{- end }}
  - {{ .entry }}
  {{- range .args }}
  - {{ . | quote }}
  {{- end }}
{{- end -}}

{{/* Env every Node process reads (services/kit commonSpec); `metricsPort` is the component's. */}}
{{- define "fo.commonEnv" -}}
- name: LOG_LEVEL
  value: {{ .root.Values.global.logLevel | quote }}
- name: LOG_FORMAT
  value: {{ .root.Values.global.logFormat | quote }}
- name: METRICS_PORT
  value: {{ .metricsPort | quote }}
- name: BIND_HOST
  value: "0.0.0.0"
{{- end -}}

{{/* ---------- Tracing (values tracing.*) ---------- */}}
{{/* Where spans go: "bundled" (the release's Jaeger), "external" (tracing.otlpEndpoint) or "" (off). */}}
{{- define "fo.tracingMode" -}}
{{- if .Values.tracing.enabled -}}
{{- if .Values.tracing.jaeger.enabled -}}bundled{{- else -}}external{{- end -}}
{{- end -}}
{{- end -}}
{{- define "fo.jaegerName" -}}
{{ include "fo.name" (dict "root" . "component" "jaeger") }}
{{- end -}}
{{/* The Node processes' OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); "" = tracing off. */}}
{{- define "fo.otlpHttpEndpoint" -}}
{{- $mode := include "fo.tracingMode" . -}}
{{- if eq $mode "bundled" -}}
http://{{ include "fo.jaegerName" . }}:4318
{{- else if eq $mode "external" -}}
{{ .Values.tracing.otlpEndpoint | trimSuffix "/" }}
{{- end -}}
{{- end -}}
{{/* Restate's tracing-endpoint: OTLP gRPC to the bundled Jaeger; OTLP/HTTP (otlp+http[s]://) to an existing collector. */}}
{{- define "fo.restateTracingEndpoint" -}}
{{- $mode := include "fo.tracingMode" . -}}
{{- if eq $mode "bundled" -}}
http://{{ include "fo.jaegerName" . }}:4317
{{- else if eq $mode "external" -}}
otlp+{{ .Values.tracing.otlpEndpoint | trimSuffix "/" }}/v1/traces
{{- end -}}
{{- end -}}
{{/*
  The tracing env of a Node process (services/kit tracingSpec): (dict "root" $ "component" "endpoint").
  Off: an empty endpoint (set, so the chart decides, not the process's default).
*/}}
{{- define "fo.tracingEnv" -}}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ include "fo.otlpHttpEndpoint" .root | quote }}
{{- if include "fo.tracingMode" .root }}
- name: OTEL_SERVICE_NAME
  value: {{ .component | quote }}
{{- end }}
{{- end -}}

{{/* Probes on /healthz of a named container port. The startupProbe holds the others back while the process starts. */}}
{{- define "fo.healthProbes" -}}
startupProbe:
  httpGet: { path: /healthz, port: {{ .port }} }
  periodSeconds: 2
  failureThreshold: 60
readinessProbe:
  httpGet: { path: /healthz, port: {{ .port }} }
  periodSeconds: 5
  failureThreshold: 3
livenessProbe:
  httpGet: { path: /healthz, port: {{ .port }} }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 6
{{- end -}}

{{- define "fo.metricsContainerPort" -}}
- name: metrics
  containerPort: {{ . }}
  protocol: TCP
{{- end -}}

{{/* The pod-level fields every Node workload shares: (dict "root" $ ["serviceAccount" name]) */}}
{{- define "fo.nodePodSpec" -}}
{{- if .serviceAccount }}
serviceAccountName: {{ .serviceAccount }}
automountServiceAccountToken: true
{{- else }}
automountServiceAccountToken: false
{{- end }}
securityContext:
  {{- include "fo.podSecurityContext" . | nindent 2 }}
{{- with .root.Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* A writable /tmp for the read-only root filesystem. */}}
{{- define "fo.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}
{{/* `sizeLimit`: (dict "sizeLimit" "1Gi"); Node processes get 64Mi. */}}
{{- define "fo.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .sizeLimit | default "64Mi" }}
{{- end -}}

{{/* The fields every Node container shares: (dict "root" $ "name" "endpoint" "entry" "<path>" "args" list "resources" map ["image" "<ref>"] ["longRunning" true]) */}}
{{- define "fo.nodeContainer" -}}
name: {{ .name }}
image: {{ .image | default (include "fo.image" .root) }}
imagePullPolicy: {{ .root.Values.global.image.pullPolicy }}
{{ include "fo.nodeCommand" . }}
securityContext:
  {{- include "fo.containerSecurityContext" (dict "writable" .root.Values.global.devMode) | nindent 2 }}
resources:
  {{- toYaml .resources | nindent 2 }}
{{- end -}}

{{/* Restate server configuration (TOML); env RESTATE_* overrides per pod. */}}
{{- define "fo.restateToml" -}}
{{- $ns := .Release.Namespace -}}
{{- $v := .Values.restate -}}
{{- $name := include "fo.name" (dict "root" . "component" "restate") -}}
{{- $replicated := gt (int $v.replicas) 1 -}}
cluster-name = {{ $v.clusterName | quote }}
base-dir = "/restate-data"
log-format = "json"
default-num-partitions = {{ $v.partitions }}
default-journal-retention = {{ $v.journalRetention | quote }}
rocksdb-total-memory-size = {{ $v.rocksdbMemory | quote }}
{{- with include "fo.restateTracingEndpoint" . }}
# Spans of every invocation (values tracing.*); the Kafka ingress continues a record's traceparent.
tracing-endpoint = {{ . | quote }}
{{- end }}
{{- if $replicated }}
# Only the pod with ordinal 0 provisions the cluster (see the container command).
auto-provision = false
default-replication = {{ $v.defaultReplication }}
{{- else }}
auto-provision = true
default-replication = 1
{{- end }}

[admin.query-engine]
memory-size = {{ $v.queryEngineMemory | quote }}

# The replicated log and metadata server (the defaults since 1.4) are what a cluster needs.
[bifrost]
default-provider = "replicated"
{{- if $replicated }}


[metadata-client]
type = "replicated"
addresses = [
{{- range $i := until (int $v.replicas) }}
  "http://{{ $name }}-{{ $i }}.{{ $name }}-cluster.{{ $ns }}.svc.cluster.local:5122",
{{- end }}
]
{{- end }}
{{- if $v.kafkaClusterInConfig }}

# Deprecated in 1.7 (the registrar declares the cluster through the admin API); rendered on request.
[[ingress.kafka-clusters]]
name = {{ .Values.kafka.clusterName | quote }}
brokers = [{{ range $i, $b := splitList "," (include "fo.kafkaBootstrap" .) }}{{ if $i }}, {{ end }}{{ $b | trim | quote }}{{ end }}]
{{- end }}
{{- end -}}

{{/* ---------- NetworkPolicy building blocks ---------- */}}
{{/* A peer: the pods of one component of this release: (dict "root" $ "component" "restate") */}}
{{- define "fo.np.peer" -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/instance: {{ .root.Release.Name }}
      app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Ingress rule: Prometheus in the monitoring namespace scrapes the named port. */}}
{{- define "fo.np.fromMonitoring" -}}
- from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.networkPolicies.monitoringNamespace }}
  ports:
    - port: metrics
{{- end -}}

{{/* Egress rules every pod needs: DNS. */}}
{{- define "fo.np.toDns" -}}
- ports:
    - { port: 53, protocol: UDP }
    - { port: 53, protocol: TCP }
{{- end -}}

{{- define "fo.np.toRestateIngress" -}}
- to:
    {{- include "fo.np.peer" (dict "root" . "component" "restate") | nindent 4 }}
  ports:
    - port: 8080
{{- end -}}

{{/* Egress to Kafka: the Strimzi or bundled broker pods, or any address on the ports of an existing Kafka. */}}
{{- define "fo.np.toKafka" -}}
{{- $mode := include "fo.kafkaMode" . -}}
{{- if eq $mode "external" -}}
- ports:
    {{- $ports := dict }}
    {{- range splitList "," .Values.kafka.external.bootstrapServers }}
    {{- $_ := set $ports (regexReplaceAll "^.*:" (trim .) "") true }}
    {{- end }}
    {{- range $p, $_ := $ports }}
    - port: {{ $p | int }}
    {{- end }}
{{- else if eq $mode "bundled" -}}
- to:
    {{- include "fo.np.peer" (dict "root" . "component" "kafka") | nindent 4 }}
  ports:
    - port: 9092
{{- else -}}
- to:
    - podSelector:
        matchLabels:
          strimzi.io/cluster: {{ include "fo.kafkaName" . }}
          strimzi.io/kind: Kafka
  ports:
    - port: 9092
{{- end }}
{{- end -}}

{{/*
  Egress to the trace collector, when tracing is on: the bundled Jaeger's OTLP ports, or the
  existing collector's port (given, else the scheme's) on any address.
*/}}
{{- define "fo.np.toTracing" -}}
{{- $mode := include "fo.tracingMode" . -}}
{{- if eq $mode "bundled" -}}
- to:
    {{- include "fo.np.peer" (dict "root" . "component" "jaeger") | nindent 4 }}
  ports:
    - port: 4317
    - port: 4318
{{- else if eq $mode "external" -}}
{{- $u := urlParse .Values.tracing.otlpEndpoint -}}
{{- $port := eq $u.scheme "https" | ternary 443 80 -}}
{{- if contains ":" $u.host }}{{ $port = regexReplaceAll "^.*:" $u.host "" | int }}{{ end -}}
- ports:
    - port: {{ $port }}
{{- end -}}
{{- end -}}

{{/* The NetworkPolicy header for one component's pods: (dict "root" $ "component" "endpoint") */}}
{{- define "fo.np.header" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "fo.name" . }}
  labels:
    {{- include "fo.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/instance: {{ .root.Release.Name }}
      app.kubernetes.io/component: {{ .component }}
  policyTypes: [Ingress, Egress]
{{- end -}}

{{/* The Secret holding Restate's request identity key, or "" when requests are not signed. */}}
{{- define "fo.requestIdentitySecret" -}}
{{- $r := .Values.restate.requestIdentity -}}
{{- if $r.existingSecret -}}
{{ $r.existingSecret }}
{{- else if $r.publicKey -}}
{{ include "fo.name" (dict "root" . "component" "request-identity") }}
{{- end -}}
{{- end -}}

{{- /*
  A Secret holding one shared secret under `key`: the value given in values, else the one the
  release already has (kept on upgrades: a new one would break whatever holds the old, such as
  a callback in flight or a driver's credential), else generated on install.
  dict: root, name (the component part of the Secret's name), component (its labels), given.
*/ -}}
{{- define "fo.keptSecret" -}}
{{- $name := include "fo.name" (dict "root" .root "component" .name) -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace $name -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $name }}
  labels:
    {{- include "fo.labels" (dict "root" .root "component" .component) | nindent 4 }}
type: Opaque
data:
  {{- if .given }}
  key: {{ .given | b64enc | quote }}
  {{- else if and $existing $existing.data (index $existing.data "key") }}
  key: {{ index $existing.data "key" | quote }}
  {{- else }}
  key: {{ randAlphaNum 48 | b64enc | quote }}
  {{- end }}
{{- end -}}

{{- /* The env entry of a process that reads a kept Secret (fo.keptSecret). dict: root, env, name. */ -}}
{{- define "fo.keptSecretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef: { name: {{ include "fo.name" (dict "root" .root "component" .name) }}, key: key }
{{- end -}}

{{- /* The catalog's built-in regions (services/contracts DEFAULT_CATALOG; a chart test compares). */ -}}
{{- define "fo.builtInRegions" -}}
["amsterdam","berlin","paris","lisbon"]
{{- end -}}
