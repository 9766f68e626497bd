{{/*
The chart name, or nameOverride; the app.kubernetes.io/name label.
Truncated to 63 characters, the limit of a label value.
*/}}
{{- define "seedbed.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The base name of every object: fullnameOverride, else the release name if
it contains the chart name ("seedbed"), else "<release>-<chart>".
Truncated to 54 characters so that "<fullname>-operator" stays a valid name.
*/}}
{{- define "seedbed.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 54 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of the operator's Deployment, ClusterRole, Role and bindings. */}}
{{- define "seedbed.operator.fullname" -}}
{{- printf "%s-operator" (include "seedbed.fullname" .) }}
{{- end }}

{{/*
The operator's metrics Service, "<fullname>-operator-metrics". A Service
name is a DNS label (63 characters at most), so the base name is cut to 46
here.
*/}}
{{- define "seedbed.operator.metricsServiceName" -}}
{{- printf "%s-operator-metrics" (include "seedbed.fullname" . | trunc 46 | trimSuffix "-") }}
{{- end }}

{{/* The name of the server's Deployment, ServiceAccount, ClusterRole, binding and PodDisruptionBudget. */}}
{{- define "seedbed.server.fullname" -}}
{{- printf "%s-server" (include "seedbed.fullname" .) }}
{{- end }}

{{/* "seedbed-0.1.0", the helm.sh/chart label. */}}
{{- define "seedbed.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The standard labels of every object
(https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
*/}}
{{- define "seedbed.labels" -}}
helm.sh/chart: {{ include "seedbed.chart" . }}
{{ include "seedbed.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: seedbed
{{- end }}

{{/* The labels a selector may use: they never change across upgrades. */}}
{{- define "seedbed.selectorLabels" -}}
app.kubernetes.io/name: {{ include "seedbed.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The selector labels of the operator's pods. */}}
{{- define "seedbed.operator.selectorLabels" -}}
{{ include "seedbed.selectorLabels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The standard labels of the operator's objects. */}}
{{- define "seedbed.operator.labels" -}}
{{ include "seedbed.labels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The selector labels of the server's pods. */}}
{{- define "seedbed.server.selectorLabels" -}}
{{ include "seedbed.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/* The standard labels of the server's objects. */}}
{{- define "seedbed.server.labels" -}}
{{ include "seedbed.labels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/* The operator's ServiceAccount: serviceAccount.name, or "<fullname>-operator" when the chart creates it. */}}
{{- define "seedbed.operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "seedbed.operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The server's ServiceAccount: server.serviceAccount.name, or "<fullname>-server" when the chart creates it. */}}
{{- define "seedbed.server.serviceAccountName" -}}
{{- if .Values.server.serviceAccount.create }}
{{- default (include "seedbed.server.fullname" .) .Values.server.serviceAccount.name }}
{{- else }}
{{- required "server.serviceAccount.name is required when server.serviceAccount.create is false" .Values.server.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The server's container ports: fixed, since only the Service's ports are
seen from outside the pod. The API port is named after its protocol (HTTPS
only with server.tls.secretName), as service meshes and Ingress
controllers read the name.
*/}}
{{- define "seedbed.server.apiContainerPort" -}}8443{{- end }}
{{- define "seedbed.server.gatewayContainerPort" -}}6443{{- end }}
{{- define "seedbed.server.apiPortName" -}}
{{- if .Values.server.tls.secretName }}https{{ else }}http{{ end }}
{{- end }}

{{/* The Service port of the SNI gateway: server.service.gatewayPort, else sharedEndpoint.port (what tenant kubeconfigs name). */}}
{{- define "seedbed.server.gatewayPort" -}}
{{- default .Values.sharedEndpoint.port .Values.server.service.gatewayPort }}
{{- end }}

{{/* The Seedbed image (operator and server), its tag defaulting to the chart's appVersion. */}}
{{- define "seedbed.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
