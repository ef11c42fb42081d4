{{/*
The pod template shared by the StatefulSet and the Deployment. Everything service-specific
comes from values; nothing from the input is ever evaluated as a template.
*/}}
{{- define "redis.podTemplate" -}}
metadata:
  annotations:
    {{- with .Values.defaultContainer }}
    kubectl.kubernetes.io/default-container: {{ . | quote }}
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    {{- include "redis.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- if and .Values.compute (eq (toString .Values.compute.target) "fargate") }}
    {{- include "redis.fargateCheck" . }}
    {{- with .Values.compute.fargateLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- end }}
spec:
  serviceAccountName: {{ include "redis.serviceAccountName" . | quote }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automount }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $podSecurity := deepCopy (default dict .Values.podSecurityContext) }}
  {{- if and .Values.unsafeSysctls .Values.unsafeSysctls.enabled .Values.unsafeSysctls.sysctls }}
  {{- $_ := set $podSecurity "sysctls" (concat (default list $podSecurity.sysctls) .Values.unsafeSysctls.sysctls) }}
  {{- end }}
  {{- with $podSecurity }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.hostNetwork }}
  hostNetwork: true
  {{- end }}
  {{- with .Values.hostname }}
  hostname: {{ . | quote }}
  {{- end }}
  {{- if .Values.dnsPolicy }}
  dnsPolicy: {{ .Values.dnsPolicy | quote }}
  {{- else if .Values.hostNetwork }}
  dnsPolicy: ClusterFirstWithHostNet
  {{- end }}
  {{- with .Values.dnsConfig }}
  dnsConfig:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.hostAliases }}
  hostAliases:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.hostPID }}
  hostPID: true
  {{- end }}
  {{- if .Values.hostIPC }}
  hostIPC: true
  {{- end }}
  {{- if .Values.shareProcessNamespace }}
  shareProcessNamespace: true
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . | quote }}
  {{- end }}
  {{- with .Values.runtimeClassName }}
  runtimeClassName: {{ . | quote }}
  {{- end }}
  {{- with .Values.schedulerName }}
  schedulerName: {{ . | quote }}
  {{- end }}
  {{- if has .Values.workload.kind (list "Job" "CronJob") }}
  restartPolicy: {{ .Values.job.restartPolicy | quote }}
  {{- end }}
  {{- /* Init containers and native sidecars start in initContainerOrder, then any others. */}}
  {{- $order := list }}
  {{- range .Values.initContainerOrder }}
  {{- $c := get $.Values.containers . }}
  {{- if and (hasKey $.Values.containers .) (not (and (hasKey $c "enabled") (not $c.enabled))) }}{{ $order = append $order . }}{{ end }}
  {{- end }}
  {{- range $name, $c := .Values.containers }}
  {{- if and (ne (default "container" $c.kind) "container") (not (has $name $order)) (not (and (hasKey $c "enabled") (not $c.enabled))) }}{{ $order = append $order $name }}{{ end }}
  {{- end }}
  {{- if or $order .Values.initContainers }}
  initContainers:
    {{- range $name := $order }}
    {{- $c := get $.Values.containers $name }}
    {{- if ne (default "container" $c.kind) "container" }}
    {{- include "redis.container" (dict "name" $name "c" $c "root" $) | nindent 4 }}
    {{- end }}
    {{- end }}
    {{- with .Values.initContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  containers:
    {{- range $name, $c := .Values.containers }}
    {{- if and (eq (default "container" $c.kind) "container") (not (and (hasKey $c "enabled") (not $c.enabled))) }}
    {{- include "redis.container" (dict "name" $name "c" $c "root" $) | nindent 4 }}
    {{- end }}
    {{- end }}
    {{- with .Values.sidecars }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- with .Values.extraContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- $volumes := include "redis.volumes" . }}
  {{- if trim $volumes }}
  volumes:
    {{- $volumes | trim | nindent 4 }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $affinity := deepCopy (default dict .Values.affinity) }}
  {{- /* podAntiAffinity adds one pod per node (hard) or a spread (soft), unless the affinity
  values already say how pods repel each other. */}}
  {{- if and .Values.podAntiAffinity (not (hasKey $affinity "podAntiAffinity")) }}
  {{- $term := dict "topologyKey" .Values.podAntiAffinityTopologyKey "labelSelector" (dict "matchLabels" (include "redis.selectorLabels" . | fromYaml)) }}
  {{- if eq .Values.podAntiAffinity "hard" }}
  {{- $_ := set $affinity "podAntiAffinity" (dict "requiredDuringSchedulingIgnoredDuringExecution" (list $term)) }}
  {{- else }}
  {{- $_ := set $affinity "podAntiAffinity" (dict "preferredDuringSchedulingIgnoredDuringExecution" (list (dict "weight" 100 "podAffinityTerm" $term))) }}
  {{- end }}
  {{- end }}
  {{- $target := toString (and .Values.compute .Values.compute.target) }}
  {{- if or (eq $target "spot") (eq $target "on-demand") }}
  {{- $affinity = include "redis.capacityAffinity" (dict "affinity" $affinity "target" $target) | fromYaml }}
  {{- end }}
  {{- with $affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $tolerations := default list .Values.tolerations }}
  {{- if and (eq .Values.workload.kind "DaemonSet") .Values.daemonSet .Values.daemonSet.tolerateAll }}
  {{- $tolerations = append $tolerations (dict "operator" "Exists") }}
  {{- end }}
  {{- with $tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml .Values.topologySpreadConstraints | nindent 4 }}
  {{- else if and (eq .Values.workload.kind "StatefulSet") (gt (int .Values.replicaCount) 1) }}
  {{- /* Replicas of a stateful service in one zone would fail together. */}}
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: topology.kubernetes.io/zone
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "redis.selectorLabels" . | nindent 10 }}
  {{- end }}
  {{- with .Values.extraPodSpec }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{- define "redis.container" -}}
{{- $c := .c -}}
- name: {{ .name | quote }}
  {{- $image := $c.image }}
  {{- with dig "imageRegistry" "" (.root.Values.global | default dict) }}
  {{- $image = merge (dict "registry" .) (omit $c.image "registry") }}
  {{- end }}
  image: {{ include "redis.image" $image | quote }}
  {{- if eq (default "container" $c.kind) "sidecar" }}
  restartPolicy: Always
  {{- end }}
  imagePullPolicy: {{ $c.image.pullPolicy | quote }}
  {{- $command := $c.command }}
  {{- $args := $c.args }}
  {{- /* ignoreFailure runs the command through a shell that ignores its exit status (ECS
  COMPLETE); it needs the entrypoint in values, and a shell in the image. */}}
  {{- if and $c.ignoreFailure (kindIs "slice" $c.command) $c.command }}
  {{- $args = concat $c.command (default list $c.args) }}
  {{- $command = list "/bin/sh" "-c" "\"$0\" \"$@\" || true" }}
  {{- end }}
  {{- $diagnostic := and (dig "enabled" false (.root.Values.diagnosticMode | default dict)) (ne (default "container" $c.kind) "init") }}
  {{- if $diagnostic }}
  {{- $command = .root.Values.diagnosticMode.command }}
  {{- $args = .root.Values.diagnosticMode.args }}
  {{- end }}
  {{- /* A `${…}` placeholder (a list the template left to deploy time) stays a string, so
  the API server refuses it until it is filled in. */}}
  {{- with $command }}
  {{- if kindIs "string" . }}
  command: {{ . | quote }}
  {{- else }}
  command:
    {{- range . }}
    - {{ . | quote }}
    {{- end }}
  {{- end }}
  {{- end }}
  {{- with $args }}
  {{- if kindIs "string" . }}
  args: {{ . | quote }}
  {{- else }}
  args:
    {{- range . }}
    - {{ . | quote }}
    {{- end }}
  {{- end }}
  {{- end }}
  {{- with $c.workingDir }}
  workingDir: {{ . | quote }}
  {{- end }}
  {{- if or $c.env $c.secretEnv $c.extraEnv }}
  env:
    {{- range $k, $v := $c.env }}
    - name: {{ $k | quote }}
      value: {{ $v | toString | quote }}
    {{- end }}
    {{- range $k, $key := $c.secretEnv }}
    - name: {{ $k | quote }}
      valueFrom:
        secretKeyRef:
          name: {{ include "redis.secretName" $.root | quote }}
          key: {{ $key | quote }}
    {{- end }}
    {{- with $c.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  {{- with $c.envFrom }}
  envFrom:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.ports }}
  ports:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.resources }}
  {{- if or .requests .limits }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- end }}
  {{- /* Init containers that run to completion may have no probes. */}}
  {{- $probes := ternary (list) (list "startupProbe" "livenessProbe" "readinessProbe") (or $diagnostic (eq (default "container" $c.kind) "init")) }}
  {{- range $probe := $probes }}
  {{- $p := get $c $probe }}
  {{- if and $p $p.enabled }}
  {{ $probe }}:
    {{- toYaml (omit $p "enabled") | nindent 4 }}
  {{- end }}
  {{- end }}
  {{- $security := deepCopy (default dict $c.securityContext) }}
  {{- if and (eq (toString .root.Values.podSecurity) "restricted") (not $security.privileged) }}
  {{- /* The restricted Pod Security level, wherever the ECS input did not set otherwise. */}}
  {{- $restricted := dict "runAsNonRoot" true "allowPrivilegeEscalation" false "readOnlyRootFilesystem" true "seccompProfile" (dict "type" "RuntimeDefault") "capabilities" (dict "drop" (list "ALL")) }}
  {{- $security = mergeOverwrite $restricted $security }}
  {{- end }}
  {{- with $security }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.lifecycle }}
  lifecycle:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $extraMounts := ternary .root.Values.extraVolumeMounts list (eq .name (toString .root.Values.defaultContainer)) }}
  {{- if or $c.volumeMounts $extraMounts }}
  volumeMounts:
    {{- with $c.volumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- with $extraMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  {{- if $c.stdin }}
  stdin: true
  {{- end }}
  {{- if $c.tty }}
  tty: true
  {{- end }}
{{- end }}

{{/*
Pod volumes. A StatefulSet gets its enabled persistence entries from volumeClaimTemplates; a
Deployment mounts the claims of pvc.yaml; a disabled entry falls back to an emptyDir.
*/}}
{{- define "redis.volumes" -}}
{{- $stateful := eq .Values.workload.kind "StatefulSet" }}
{{- range $name, $p := .Values.persistence }}
{{- if not $p.enabled }}
- name: {{ $name | quote }}
  emptyDir: {}
{{- else if and $p.hostPath $p.hostPath.enabled }}
- name: {{ $name | quote }}
  hostPath:
    path: {{ $p.hostPath.path | quote }}
    {{- /* Docker on ECS created a missing host directory; so does the kubelet with this type. */}}
    type: DirectoryOrCreate
{{- else if $p.existingClaim }}
- name: {{ $name | quote }}
  persistentVolumeClaim:
    claimName: {{ $p.existingClaim | quote }}
{{- else if or (not $stateful) $p.efs }}
- name: {{ $name | quote }}
  persistentVolumeClaim:
    claimName: {{ include "redis.claimName" (dict "root" $ "name" $name) | quote }}
{{- end }}
{{- end }}
{{- range $name, $v := .Values.volumes }}
- name: {{ $name | quote }}
  {{- toYaml $v | nindent 2 }}
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Claim spec for a persistence entry (dict "root" "name" "p"); storageClass "-" means no
dynamic provisioning. An entry turned on with nothing else set still gives a valid claim.
*/}}
{{- define "redis.claimSpec" -}}
{{- $p := .p -}}
accessModes:
  {{- toYaml (default (list "ReadWriteOnce") $p.accessModes) | nindent 2 }}
{{- $class := include "redis.storageClassName" . }}
{{- if $class }}
storageClassName: {{ $class }}
{{- end }}
{{- if $p.fromSnapshot }}
dataSource:
  apiGroup: snapshot.storage.k8s.io
  kind: VolumeSnapshot
  name: {{ include "redis.snapshotName" . | quote }}
{{- end }}
resources:
  requests:
    storage: {{ default "10Gi" $p.size | quote }}
{{- end }}

{{/*
The storage class of a persistence entry, quoted, or nothing for the cluster default.
*/}}
{{- define "redis.storageClassName" -}}
{{- $p := .p }}
{{- if and $p.ebs $p.ebs.createStorageClass }}
{{- printf "%s-%s" (include "redis.fullname" .root) .name | trunc 63 | trimSuffix "-" | quote }}
{{- else if eq (default "" $p.storageClass) "-" }}
{{- `""` }}
{{- else if $p.storageClass }}
{{- $p.storageClass | quote }}
{{- end }}
{{- end }}

{{- define "redis.snapshotName" -}}
{{- printf "%s-%s-restore" (include "redis.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Whether a persistence entry is a claim of the chart's own (not off, not an existing claim, not
EFS, not the kept host directory).
*/}}
{{- define "redis.ownClaim" -}}
{{- if and .enabled (not .existingClaim) (not .efs) (not (and .hostPath .hostPath.enabled)) }}true{{- end }}
{{- end }}

{{- /*
Spot or on-demand required: every required node term (the ECS placement constraints) is kept,
once per capacity-type label (Karpenter and EKS Auto Mode, then managed node groups), so the
pod runs where its constraints held on that capacity.
*/}}
{{- define "redis.capacityAffinity" -}}
{{- $affinity := .affinity }}
{{- $node := deepCopy (default dict $affinity.nodeAffinity) }}
{{- $required := default dict $node.requiredDuringSchedulingIgnoredDuringExecution }}
{{- $terms := default (list (dict)) $required.nodeSelectorTerms }}
{{- $labels := list (list "karpenter.sh/capacity-type" (ternary "spot" "on-demand" (eq .target "spot"))) (list "eks.amazonaws.com/capacityType" (ternary "SPOT" "ON_DEMAND" (eq .target "spot"))) }}
{{- $out := list }}
{{- range $label := $labels }}
{{- range $term := $terms }}
{{- $expressions := append (default list $term.matchExpressions) (dict "key" (index $label 0) "operator" "In" "values" (list (index $label 1))) }}
{{- $out = append $out (merge (dict "matchExpressions" $expressions) (omit $term "matchExpressions")) }}
{{- end }}
{{- end }}
{{- $_ := set $node "requiredDuringSchedulingIgnoredDuringExecution" (dict "nodeSelectorTerms" $out) }}
{{- /* The weighted spot preference has nothing left to choose. */}}
{{- $_ := unset $node "preferredDuringSchedulingIgnoredDuringExecution" }}
{{- $_ := set $affinity "nodeAffinity" $node }}
{{- toYaml $affinity }}
{{- end }}

{{- /*
EKS Fargate runs no DaemonSet, mounts no block-storage claim or node directory, and admits no
privileged container or host network: a chart that asks for Fargate anyway stops with the reasons.
*/}}
{{- define "redis.fargateCheck" -}}
{{- $reasons := list }}
{{- if eq (toString .Values.workload.kind) "DaemonSet" }}
{{- $reasons = append $reasons "a DaemonSet" }}
{{- end }}
{{- range $name, $p := .Values.persistence }}
{{- if and $p.enabled (not $p.efs) }}
{{- $reasons = append $reasons (printf "persistence.%s is a block-storage claim (EFS only on Fargate)" $name) }}
{{- end }}
{{- if and $p.enabled $p.hostPath $p.hostPath.enabled }}
{{- $reasons = append $reasons (printf "persistence.%s uses a node directory" $name) }}
{{- end }}
{{- end }}
{{- range $name, $c := .Values.containers }}
{{- if and $c.securityContext $c.securityContext.privileged }}
{{- $reasons = append $reasons (printf "containers.%s is privileged" $name) }}
{{- end }}
{{- end }}
{{- if .Values.hostNetwork }}
{{- $reasons = append $reasons "hostNetwork" }}
{{- end }}
{{- if $reasons }}
{{- fail (printf "compute.target=fargate: EKS Fargate cannot run this pod: %s" (join "; " $reasons)) }}
{{- end }}
{{- end }}
