{{/*
Chart name, truncated so that "<release>-<name>" stays a valid StatefulSet name.
*/}}
{{- define "redis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name when it already contains the chart name, else "<release>-<name>".
52 characters at most: a StatefulSet's pods carry a controller-revision-hash label of
"<name>-<10 characters>", which must fit in 63.
*/}}
{{/*
The IngressClass (and its IngressClassParams) an Auto Mode release gets: cluster-scoped, so the
namespace is part of the name.
*/}}
{{- define "redis.ingressClassName" -}}
{{- printf "%s-%s" .Release.Namespace (include "redis.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "redis.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, as used by the chart label.
*/}}
{{- define "redis.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "redis.labels" -}}
helm.sh/chart: {{ include "redis.chart" . | quote }}
{{ include "redis.selectorLabels" . }}
{{- with include "redis.version" . }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels of the helm test objects: the chart's, without the selector labels, so that neither
the Service nor the chart's NetworkPolicy takes the test pod for one of the workload's.
*/}}
{{- define "redis.testLabels" -}}
helm.sh/chart: {{ include "redis.chart" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/part-of: {{ include "redis.name" . | quote }}
app.kubernetes.io/component: connection-test
{{- end }}

{{/*
Selector labels. Only name and instance: a StatefulSet's selector cannot change after install.
*/}}
{{- define "redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "redis.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/*
Name of the ServiceAccount to use.
*/}}
{{- define "redis.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "redis.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the Secret that secretEnv keys are read from.
*/}}
{{- define "redis.secretName" -}}
{{- default (printf "%s-secrets" (include "redis.fullname" .)) .Values.secrets.name }}
{{- end }}

{{/*
Image reference from registry, repository, tag and digest; a digest wins over the tag.
*/}}
{{- define "redis.image" -}}
{{- $ref := .repository }}
{{- if .registry }}{{ $ref = printf "%s/%s" .registry .repository }}{{ end }}
{{- if .digest }}{{ printf "%s@%s" $ref .digest }}
{{- else if .tag }}{{ printf "%s:%s" $ref (toString .tag) }}
{{- else }}{{ $ref }}
{{- end }}
{{- end }}

{{/*
Name of the claim a Deployment mounts for a persistence entry.
*/}}
{{- define "redis.claimName" -}}
{{- printf "%s-%s" (include "redis.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The version the pods run: the default container's image tag, so that a values file that
changes the tag also changes the label; the chart's appVersion when there is no tag.
*/}}
{{- define "redis.version" -}}
{{- $main := get .Values.containers (toString .Values.defaultContainer) }}
{{- $tag := "" }}
{{- if and $main (kindIs "map" $main) $main.image }}{{ $tag = toString (default "" $main.image.tag) }}{{ end }}
{{- $version := default .Chart.AppVersion $tag | trunc 63 }}
{{- regexReplaceAll "[^A-Za-z0-9]+$" $version "" }}
{{- end }}

{{/*
The PersistentVolume an adopted EBS volume becomes, named after the claim it is bound to
(PersistentVolumes are cluster-wide, so the namespace is part of the name).
*/}}
{{- define "redis.adoptedVolumeName" -}}
{{- printf "%s-%s" .root.Release.Namespace .claim | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The spec of a Job, alone or in a CronJob's template: retries, deadlines, parallelism and the pod.
*/}}
{{- define "redis.jobSpec" -}}
{{- $runs := int .Values.job.parallelism }}
{{- if gt $runs 1 }}
{{- /* ECS started TaskCount tasks that each succeed or fail on their own: an indexed Job, one
completion per task, retried per index, so one failing run does not stop its siblings. */}}
completions: {{ $runs }}
completionMode: Indexed
backoffLimitPerIndex: {{ .Values.job.backoffLimit }}
{{- else }}
backoffLimit: {{ .Values.job.backoffLimit }}
{{- end }}
{{- if not (kindIs "invalid" .Values.job.activeDeadlineSeconds) }}
activeDeadlineSeconds: {{ .Values.job.activeDeadlineSeconds }}
{{- end }}
{{- if and (not .cron) (not (kindIs "invalid" .Values.job.ttlSecondsAfterFinished)) }}
ttlSecondsAfterFinished: {{ .Values.job.ttlSecondsAfterFinished }}
{{- end }}
parallelism: {{ .Values.job.parallelism }}
template:
  {{- include "redis.podTemplate" . | nindent 2 }}
{{- end }}

{{/*
Values still holding a placeholder the conversion could not fill (`${…}`: a physical name, a
deploy-time attribute, an account ID), one `path<TAB>value` line each, found by walking the
values (dict "path" "" "value" .Values). Commands and args are shell text: `${VAR}` there is
the shell's, not a placeholder.
*/}}
{{- define "redis.placeholders" -}}
{{- $path := .path }}
{{- if kindIs "map" .value }}
{{- range $k, $v := .value }}
{{- if not (has $k (list "command" "args")) }}
{{- include "redis.placeholders" (dict "path" (printf "%s.%s" $path $k | trimPrefix ".") "value" $v) }}
{{- end }}
{{- end }}
{{- else if kindIs "slice" .value }}
{{- range $i, $v := .value }}
{{- include "redis.placeholders" (dict "path" (printf "%s[%d]" $path $i) "value" $v) }}
{{- end }}
{{- else if and (kindIs "string" .value) (regexMatch "\\$\\{[^}]+\\}" .value) }}
{{ printf "%s\t%s" $path .value }}
{{- end }}
{{- end }}

{{/*
The annotations of an object: its own (`own`, which win) and commonAnnotations, as YAML; empty
when there are none.
*/}}
{{- define "redis.annotations" -}}
{{- $all := merge (deepCopy (default dict .own)) (default dict .root.Values.commonAnnotations) }}
{{- if $all }}{{ toYaml $all }}{{ end }}
{{- end }}
