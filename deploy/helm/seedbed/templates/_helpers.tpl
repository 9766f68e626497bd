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

{{/* The operator's ServiceAccount: serviceAccount.name, or "<fullname>-operator" when the chart creates it. */}}
{{- define "seedbed.operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "seedbed.operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The operator image, its tag defaulting to the chart's appVersion. */}}
{{- define "seedbed.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
