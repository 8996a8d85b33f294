{{/*
Chart name, truncated to 63 characters (the DNS label limit).
*/}}
{{- define "greenline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Fully qualified base name of every resource: `<release>-<chart>`, or just the release name when it
already contains the chart name. Truncated so that suffixes like `-headless` still fit 63 characters.
*/}}
{{- define "greenline.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 54 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 54 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 54 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "greenline.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every resource. */}}
{{- define "greenline.labels" -}}
helm.sh/chart: {{ include "greenline.chart" . }}
app.kubernetes.io/name: {{ include "greenline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: greenline
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of the streams app (immutable once installed). */}}
{{- define "greenline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "greenline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: streams
{{- end -}}

{{/* Selector labels of the simulator. */}}
{{- define "greenline.simulator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "greenline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: simulator
{{- end -}}

{{/* Name of the headless Service that gives every pod a stable DNS name; also the StatefulSet's serviceName. */}}
{{- define "greenline.headlessServiceName" -}}
{{- printf "%s-headless" (include "greenline.fullname" .) -}}
{{- end -}}

{{/* Name of the ServiceAccount. */}}
{{- define "greenline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "greenline.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Full image reference; a digest wins over a tag, the tag defaults to appVersion. */}}
{{- define "greenline.image" -}}
{{- $repo := .Values.image.repository -}}
{{- if .Values.image.registry -}}
{{- $repo = printf "%s/%s" .Values.image.registry .Values.image.repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
The DNS name of one streams pod, with `$(POD_NAME)` left for Kubernetes to expand:
`$(POD_NAME).<headless>.<namespace>.svc.<clusterDomain>`.
*/}}
{{- define "greenline.podDnsName" -}}
{{- printf "$(POD_NAME).%s.%s.svc.%s" (include "greenline.headlessServiceName" .) .Release.Namespace .Values.clusterDomain -}}
{{- end -}}

{{/* Turn a property name like `commit.interval.ms` into the env suffix `COMMIT_INTERVAL_MS`. */}}
{{- define "greenline.envName" -}}
{{- . | upper | replace "." "_" | replace "-" "_" -}}
{{- end -}}

{{/* True when the Kafka security protocol uses SASL. */}}
{{- define "greenline.kafka.sasl" -}}
{{- if hasPrefix "SASL_" (upper .Values.kafka.securityProtocol) -}}true{{- end -}}
{{- end -}}

{{/* True when the Kafka security protocol uses TLS. */}}
{{- define "greenline.kafka.tls" -}}
{{- $p := upper .Values.kafka.securityProtocol -}}
{{- if or (eq $p "SSL") (eq $p "SASL_SSL") -}}true{{- end -}}
{{- end -}}

{{/* Fail early on settings that cannot work, instead of rendering a crash-looping pod. */}}
{{- define "greenline.validate" -}}
{{- $p := upper .Values.kafka.securityProtocol -}}
{{- if not (has $p (list "PLAINTEXT" "SSL" "SASL_PLAINTEXT" "SASL_SSL")) -}}
{{- fail (printf "kafka.securityProtocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not %q" .Values.kafka.securityProtocol) -}}
{{- end -}}
{{- if and (include "greenline.kafka.sasl" .) (not .Values.kafka.sasl.existingSecret) -}}
{{- fail "kafka.sasl.existingSecret is required for SASL_* protocols: name an existing Secret holding the JAAS config (credentials are never taken from values)" -}}
{{- end -}}
{{- if not .Values.kafka.bootstrapServers -}}
{{- fail "kafka.bootstrapServers is required" -}}
{{- end -}}
{{- end -}}

{{/*
Kafka and schema-registry connection environment, shared by the streams app and the simulator.
Secrets are referenced (secretKeyRef, mounted files), never copied into the manifest.
*/}}
{{- define "greenline.connectionEnv" -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ upper .Values.kafka.securityProtocol | quote }}
{{- if include "greenline.kafka.sasl" . }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.sasl.existingSecret | quote }}
      key: {{ .Values.kafka.sasl.jaasConfigKey | quote }}
{{- end }}
{{- if and (include "greenline.kafka.tls" .) .Values.kafka.tls.truststore.existingSecret }}
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: {{ printf "/etc/greenline/kafka-truststore/%s" .Values.kafka.tls.truststore.key | quote }}
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: {{ .Values.kafka.tls.truststore.type | quote }}
{{- if .Values.kafka.tls.truststore.passwordKey }}
- name: KAFKA_SSL_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.tls.truststore.existingSecret | quote }}
      key: {{ .Values.kafka.tls.truststore.passwordKey | quote }}
{{- end }}
{{- end }}
{{- if and (include "greenline.kafka.tls" .) .Values.kafka.tls.keystore.existingSecret }}
- name: KAFKA_SSL_KEYSTORE_LOCATION
  value: {{ printf "/etc/greenline/kafka-keystore/%s" .Values.kafka.tls.keystore.key | quote }}
- name: KAFKA_SSL_KEYSTORE_TYPE
  value: {{ .Values.kafka.tls.keystore.type | quote }}
{{- if .Values.kafka.tls.keystore.passwordKey }}
- name: KAFKA_SSL_KEYSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.tls.keystore.existingSecret | quote }}
      key: {{ .Values.kafka.tls.keystore.passwordKey | quote }}
{{- end }}
{{- end }}
- name: SCHEMA_REGISTRY_URL
  value: {{ .Values.schemaRegistry.url | quote }}
{{- if .Values.schemaRegistry.basicAuth.existingSecret }}
- name: BASIC_AUTH_CREDENTIALS_SOURCE
  value: USER_INFO
- name: BASIC_AUTH_USER_INFO
  valueFrom:
    secretKeyRef:
      name: {{ .Values.schemaRegistry.basicAuth.existingSecret | quote }}
      key: {{ .Values.schemaRegistry.basicAuth.userInfoKey | quote }}
{{- end }}
- name: JAVA_TOOL_OPTIONS
  value: {{ trim (printf "-XX:MaxRAMPercentage=%v -XX:+ExitOnOutOfMemoryError %s" .Values.jvm.maxRamPercentage .Values.jvm.extraOptions) | quote }}
{{- end -}}

{{/* Volume mounts of the connection secrets (truststore, keystore) and /tmp. */}}
{{- define "greenline.connectionVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if and (include "greenline.kafka.tls" .) .Values.kafka.tls.truststore.existingSecret }}
- name: kafka-truststore
  mountPath: /etc/greenline/kafka-truststore
  readOnly: true
{{- end }}
{{- if and (include "greenline.kafka.tls" .) .Values.kafka.tls.keystore.existingSecret }}
- name: kafka-keystore
  mountPath: /etc/greenline/kafka-keystore
  readOnly: true
{{- end }}
{{- end -}}

{{/* Volumes for the connection secrets (mounted read-only, owner-only permissions) and /tmp. */}}
{{- define "greenline.connectionVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpDir.sizeLimit }}
{{- if and (include "greenline.kafka.tls" .) .Values.kafka.tls.truststore.existingSecret }}
- name: kafka-truststore
  secret:
    secretName: {{ .Values.kafka.tls.truststore.existingSecret | quote }}
    defaultMode: 0440
    items:
      - key: {{ .Values.kafka.tls.truststore.key | quote }}
        path: {{ .Values.kafka.tls.truststore.key | quote }}
{{- end }}
{{- if and (include "greenline.kafka.tls" .) .Values.kafka.tls.keystore.existingSecret }}
- name: kafka-keystore
  secret:
    secretName: {{ .Values.kafka.tls.keystore.existingSecret | quote }}
    defaultMode: 0440
    items:
      - key: {{ .Values.kafka.tls.keystore.key | quote }}
        path: {{ .Values.kafka.tls.keystore.key | quote }}
{{- end }}
{{- end -}}

{{/* HTTP or HTTPS, depending on queryApi.tls. */}}
{{- define "greenline.scheme" -}}
{{- if .Values.queryApi.tls.existingSecret -}}HTTPS{{- else -}}HTTP{{- end -}}
{{- end -}}

{{/* One HTTP probe block from a probe's values (enabled/path stripped). */}}
{{- define "greenline.httpProbe" -}}
httpGet:
  path: {{ .probe.path }}
  port: http
  scheme: {{ .scheme }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
successThreshold: {{ .probe.successThreshold }}
{{- end -}}

{{/*
A config value as text. Helm reads numbers in values files as floats, and `toString` would turn
604800000 into "6.048e+08"; whole numbers are printed as integers instead.
*/}}
{{- define "greenline.scalar" -}}
{{- if and (kindIs "float64" .) (eq . (float64 (int64 .))) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}
