{{- define "memsecret.fullname" -}}
{{- printf "%s-webhook" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "memsecret.labels" -}}
app.kubernetes.io/name: memsecret
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "memsecret.selectorLabels" -}}
app.kubernetes.io/name: memsecret
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "memsecret.tlsSecret" -}}
{{- if .Values.tls.certManager.enabled -}}
{{ include "memsecret.fullname" . }}-tls
{{- else -}}
{{ required "tls.existingSecret is required when tls.certManager.enabled is false" .Values.tls.existingSecret }}
{{- end -}}
{{- end -}}

{{- define "memsecret.rotationServiceAccount" -}}
{{- if .Values.rotation.serviceAccount.create -}}
{{ .Values.rotation.serviceAccount.name | default (printf "%s-rotation" .Release.Name | trunc 63 | trimSuffix "-") }}
{{- else -}}
{{ required "rotation.serviceAccount.name is required when rotation.serviceAccount.create is false" .Values.rotation.serviceAccount.name }}
{{- end -}}
{{- end -}}
