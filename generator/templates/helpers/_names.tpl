{{/*
Names. Every object name is release-scoped: <fullname>-<component>. The base name is at most
40 characters; longer release names are cut to 31 and suffixed with a hash of the whole name,
so two long release names never collide.
*/}}
{{- define "deerflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "deerflow.fullname" -}}
{{- $full := "" -}}
{{- if .Values.fullnameOverride -}}
{{- $full = .Values.fullnameOverride -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- $full = .Release.Name -}}
{{- else -}}
{{- $full = printf "%s-%s" .Release.Name $name -}}
{{- end -}}
{{- end -}}
{{- if gt (len $full) 40 -}}
{{- printf "%s-%s" ($full | trunc 31 | trimSuffix "-") ($full | sha256sum | trunc 8) -}}
{{- else -}}
{{- $full -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects. Usage: include "deerflow.componentName" (dict "ctx" $ "component" "gateway") */}}
{{- define "deerflow.componentName" -}}
{{- printf "%s-%s" (include "deerflow.fullname" .ctx) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "deerflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Every object lives in the release namespace (D7: no values override of -n). */}}
{{- define "deerflow.namespace" -}}
{{- .Release.Namespace -}}
{{- end -}}

{{/* Namespace of sandbox Pods and the agent's namespaced RBAC: sandbox.namespace, else <release namespace>-<sandbox.namespaceSuffix>, else the release namespace. */}}
{{- define "deerflow.sandbox.namespace" -}}
{{- if .Values.sandbox.namespace -}}
{{- .Values.sandbox.namespace -}}
{{- else if .Values.sandbox.namespaceSuffix -}}
{{- printf "%s-%s" .Release.Namespace .Values.sandbox.namespaceSuffix -}}
{{- else -}}
{{- .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{/* Cluster-scoped names must be unique per release AND namespace. */}}
{{- define "deerflow.clusterScopedName" -}}
{{- $base := printf "%s-%s-%s" .ctx.Release.Namespace (include "deerflow.fullname" .ctx) .component -}}
{{- if gt (len $base) 63 -}}
{{- printf "%s-%s" ($base | trunc 54 | trimSuffix "-") ($base | sha256sum | trunc 8) -}}
{{- else -}}
{{- $base -}}
{{- end -}}
{{- end -}}

{{/* Usage: include "deerflow.serviceAccountName" (dict "ctx" $ "component" "gateway" "serviceAccount" .Values.gateway.serviceAccount) */}}
{{- define "deerflow.serviceAccountName" -}}
{{- if .serviceAccount.create -}}
{{- default (include "deerflow.componentName" .) .serviceAccount.name -}}
{{- else -}}
{{- default "default" .serviceAccount.name -}}
{{- end -}}
{{- end -}}
