{{/*
Render-time guards. Each check prints "<field>: <what is wrong and how to fix it>"; all failures
are reported together. Included from templates/validate.yaml.
*/}}
{{- define "deerflow.validate" -}}
{{- $errors := list -}}

{{- /* Secrets are never generated: features that need one refuse to render without it. */ -}}
{{- if and $.Values.sandbox.enabled (not $.Values.sandbox.apiKey) (not $.Values.sandbox.existingSecret) -}}
{{- $errors = append $errors "sandbox.apiKey: sandbox.enabled=true needs the shared API key: set sandbox.apiKey (16+ characters) or sandbox.existingSecret. The chart does not generate it, so it stays stable across upgrades and GitOps renders." -}}
{{- end -}}
{{- if and (eq $.Values.postgresql.mode "bundled") (not $.Values.postgresql.auth.password) (not $.Values.postgresql.auth.existingSecret) -}}
{{- $errors = append $errors "postgresql.auth.password: postgresql.mode=bundled needs postgresql.auth.password or postgresql.auth.existingSecret (never generated)." -}}
{{- end -}}
{{- if and (eq $.Values.postgresql.mode "external") (not $.Values.postgresql.external.url) (not $.Values.postgresql.external.existingSecret) -}}
{{- $errors = append $errors "postgresql.external.url: postgresql.mode=external needs postgresql.external.url or postgresql.external.existingSecret." -}}
{{- end -}}
{{- if and (eq $.Values.redis.mode "bundled") (not $.Values.redis.auth.password) (not $.Values.redis.auth.existingSecret) -}}
{{- $errors = append $errors "redis.auth.password: redis.mode=bundled needs redis.auth.password or redis.auth.existingSecret (never generated)." -}}
{{- end -}}
{{- if and (eq $.Values.redis.mode "external") (not $.Values.redis.external.url) (not $.Values.redis.external.existingSecret) -}}
{{- $errors = append $errors "redis.external.url: redis.mode=external needs redis.external.url or redis.external.existingSecret." -}}
{{- end -}}
{{- if and (eq $.Values.deerflow.config.streamBridge "redis") (eq $.Values.redis.mode "none") -}}
{{- $errors = append $errors "deerflow.config.streamBridge: redis needs redis.mode=bundled or external." -}}
{{- end -}}

{{- /* The agent's per-user cap against DeerFlow's own warm pool (issue 10 finding 4): a gateway process
keeps up to sandbox.replicas released sandboxes warm for idle_timeout and evicts one only when it
reaches that number, so one user working through more threads than the per-user cap gets a 429
while their own warm sandboxes still count. */ -}}
{{- if and $.Values.sandbox.enabled (gt (int $.Values.sandbox.limits.maxSandboxesPerUser) 0) (lt (int $.Values.sandbox.limits.maxSandboxesPerUser) (int $.Values.sandbox.gatewaySide.replicas)) -}}
{{- $errors = append $errors (printf "sandbox.limits.maxSandboxesPerUser: %d is below sandbox.gatewaySide.replicas (%d), the warm pool each gateway process keeps (DeerFlow evicts a warm sandbox only once it holds that many), so a user's %dth thread would be refused while their warm sandboxes count against the cap; raise the cap to at least %d, lower sandbox.gatewaySide.replicas, or set the cap to 0." (int $.Values.sandbox.limits.maxSandboxesPerUser) (int $.Values.sandbox.gatewaySide.replicas) (add1 (int $.Values.sandbox.limits.maxSandboxesPerUser)) (int $.Values.sandbox.gatewaySide.replicas)) -}}
{{- end -}}

{{- /* Models and their keys. */ -}}
{{- $names := dict -}}
{{- range $i, $m := $.Values.deerflow.models -}}
{{- if hasKey $names $m.name -}}
{{- $errors = append $errors (printf "deerflow.models[%d].name: duplicate model name %q." $i $m.name) -}}
{{- end -}}
{{- $_ := set $names $m.name true -}}
{{- if and $m.apiKeyEnv (not $.Values.deerflow.providers.existingSecret) (not (hasKey $.Values.deerflow.providers.apiKeys $m.apiKeyEnv)) -}}
{{- $errors = append $errors (printf "deerflow.models[%d].apiKeyEnv: %s is not a key of deerflow.providers.apiKeys; add it there or set deerflow.providers.existingSecret (DeerFlow refuses to start on an unset $VAR)." $i $m.apiKeyEnv) -}}
{{- end -}}
{{- end -}}

{{- /* hostPath is opt-in. */ -}}
{{- if and (eq $.Values.persistence.home.mode "hostPath") (not $.Values.persistence.allowHostPath) -}}
{{- $errors = append $errors "persistence.home.mode: hostPath needs persistence.allowHostPath=true (single-node dev clusters only)." -}}
{{- end -}}

{{- /* Multiple gateway processes (D5, #3948): every prerequisite or nothing. */ -}}
{{- if include "deerflow.multiWorker" . -}}
{{- $missing := list -}}
{{- if eq $.Values.postgresql.mode "none" -}}{{- $missing = append $missing "postgresql.mode=bundled|external" -}}{{- end -}}
{{- if ne (include "deerflow.streamBridge" .) "redis" -}}{{- $missing = append $missing "a Redis stream bridge (redis.mode=bundled|external, deerflow.config.streamBridge=auto|redis)" -}}{{- end -}}
{{- if not $.Values.deerflow.config.runOwnershipHeartbeat -}}{{- $missing = append $missing "deerflow.config.runOwnershipHeartbeat=true" -}}{{- end -}}
{{- if ne $.Values.deerflow.config.runEventsBackend "db" -}}{{- $missing = append $missing "deerflow.config.runEventsBackend=db" -}}{{- end -}}
{{- if ne $.Values.deerflow.config.agentStorageBackend "db" -}}{{- $missing = append $missing "deerflow.config.agentStorageBackend=db" -}}{{- end -}}
{{- if and (not $.Values.deerflow.auth.existingSecret) (or (not $.Values.deerflow.auth.jwtSecret) (not $.Values.deerflow.auth.internalToken)) -}}{{- $missing = append $missing "shared auth secrets (deerflow.auth.existingSecret, or deerflow.auth.jwtSecret and deerflow.auth.internalToken)" -}}{{- end -}}
{{- if or (ne $.Values.persistence.home.mode "pvc") (ne $.Values.persistence.home.accessMode "ReadWriteMany") -}}{{- $missing = append $missing "a shared home volume (persistence.home.mode=pvc with accessMode=ReadWriteMany)" -}}{{- end -}}
{{- if $missing -}}
{{- if include "deerflow.autoscaling.on" $.Values.gateway.autoscaling -}}
{{- $errors = append $errors (printf "gateway.autoscaling.maxReplicas: autoscaling up to %v replica(s) x %v worker(s) needs the multi-worker prerequisites; missing: %s." $.Values.gateway.autoscaling.maxReplicas $.Values.gateway.workers (join "; " $missing)) -}}
{{- else -}}
{{- $errors = append $errors (printf "gateway.replicaCount: %v replica(s) x %v worker(s) need the multi-worker prerequisites; missing: %s." $.Values.gateway.replicaCount $.Values.gateway.workers (join "; " $missing)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* Sandbox storage and wiring. */ -}}
{{- if $.Values.sandbox.enabled -}}
{{- if eq $.Values.persistence.home.mode "emptyDir" -}}
{{- $errors = append $errors "persistence.home.mode: sandboxes mount their thread data from the home volume; emptyDir cannot be shared. Use pvc (ReadWriteMany) or hostPath (single node)." -}}
{{- else if and (eq $.Values.persistence.home.mode "pvc") (ne $.Values.persistence.home.accessMode "ReadWriteMany") (not $.Values.sandbox.threadData.existingClaim) -}}
{{- $errors = append $errors "persistence.home.accessMode: sandbox Pods mount the home volume on any node; ReadWriteOnce fails with Multi-Attach (D4). Use ReadWriteMany, hostPath on a single node, or sandbox.threadData.existingClaim." -}}
{{- end -}}
{{- $sbxNs := include "deerflow.sandbox.namespace" . -}}
{{- if and (ne $sbxNs $.Release.Namespace) (eq $.Values.persistence.home.mode "pvc") (not $.Values.sandbox.threadData.existingClaim) -}}
{{- $errors = append $errors (printf "sandbox.threadData.existingClaim: the sandbox namespace %s differs from the release namespace, and a PVC cannot be mounted across namespaces; give an RWX claim in %s that holds the same data." $sbxNs $sbxNs) -}}
{{- end -}}
{{- $src := $.Values.sandbox.skills.source -}}
{{- if and (eq $src "home") (ne $.Values.persistence.home.mode "pvc") (not $.Values.sandbox.threadData.existingClaim) -}}
{{- $errors = append $errors "sandbox.skills.source: home needs a PVC home volume (persistence.home.mode=pvc); with hostPath use source hostPath, nfs or existingClaim." -}}
{{- end -}}
{{- if and (eq $src "existingClaim") (not $.Values.sandbox.skills.existingClaim) -}}
{{- $errors = append $errors "sandbox.skills.existingClaim: sandbox.skills.source=existingClaim needs the claim name." -}}
{{- end -}}
{{- if and (eq $src "nfs") (or (not $.Values.sandbox.skills.nfs.server) (not $.Values.sandbox.skills.nfs.path)) -}}
{{- $errors = append $errors "sandbox.skills.nfs.server: sandbox.skills.source=nfs needs sandbox.skills.nfs.server and sandbox.skills.nfs.path." -}}
{{- end -}}
{{- if and (eq $src "hostPath") (not $.Values.persistence.allowHostPath) -}}
{{- $errors = append $errors "sandbox.skills.source: hostPath needs persistence.allowHostPath=true (single-node dev clusters only)." -}}
{{- end -}}
{{- if and (eq $.Values.sandbox.serviceType "NodePort") (not $.Values.sandbox.nodeHost) -}}
{{- $errors = append $errors "sandbox.nodeHost: sandbox.serviceType=NodePort needs the node address the gateway can reach." -}}
{{- end -}}
{{- end -}}

{{- /* Per-component guards generated from the registry: autoscaling, LimitRange fit (D-quota: a Pod the LimitRange rejects never starts and helm --wait times out). */ -}}
{{- range (splitList "\n" (include "deerflow.llmGateway.validate" .)) -}}{{- if . -}}{{- $errors = append $errors . -}}{{- end -}}{{- end -}}
{{- range (splitList "\n" (include "deerflow.validate.components" .)) -}}
{{- if . -}}{{- $errors = append $errors . -}}{{- end -}}
{{- end -}}

{{- /* ResourceQuota fit (fit=enforce; fit=warn prints the same numbers in NOTES). */ -}}
{{- range (splitList "\n" (include "deerflow.quota.problems" (dict "ctx" . "mode" "enforce"))) -}}
{{- if . -}}{{- $errors = append $errors . -}}{{- end -}}
{{- end -}}

{{- /* A LimitRange the API server accepts: min ≤ defaultRequest ≤ default ≤ max. */ -}}
{{- if $.Values.limitRange.enabled -}}
{{- $lr := $.Values.limitRange -}}
{{- range $r := list (list "cpu" $lr.min.cpu $lr.defaultRequest.cpu $lr.default.cpu $lr.max.cpu) (list "memory" $lr.min.memory $lr.defaultRequest.memory $lr.default.memory $lr.max.memory) -}}
{{- $name := index $r 0 -}}
{{- $fields := list "min" "defaultRequest" "default" "max" -}}
{{- range $i := until 3 -}}
{{- $lo := index $r (add1 $i) -}}{{- $hi := index $r (add $i 2) -}}
{{- if gt (int64 (include "deerflow.quantity.milli" $lo)) (int64 (include "deerflow.quantity.milli" $hi)) -}}
{{- $errors = append $errors (printf "limitRange.%s.%s: %v is above limitRange.%s.%s (%v); the API server rejects a LimitRange unless min ≤ defaultRequest ≤ default ≤ max." (index $fields $i) $name $lo (index $fields (add1 $i)) $name $hi) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* NetworkPolicy CIDRs: every except a strict subset of its cidr; no internet CIDR excluded whole. */ -}}
{{- if $.Values.networkPolicy.enabled -}}
{{- $np := $.Values.networkPolicy -}}
{{- $lines := list -}}
{{- $lines = append $lines (include "deerflow.cidr.checkPeers" (dict "field" "networkPolicy.ingressFrom" "peers" $np.ingressFrom)) -}}
{{- $lines = append $lines (include "deerflow.cidr.checkPeers" (dict "field" "networkPolicy.metricsFrom" "peers" $np.metricsFrom)) -}}
{{- $lines = append $lines (include "deerflow.cidr.checkPeers" (dict "field" "networkPolicy.dns" "peers" $np.dns)) -}}
{{- $lines = append $lines (include "deerflow.cidr.checkRules" (dict "field" "networkPolicy.extraEgress" "rules" $np.extraEgress)) -}}
{{- $lines = append $lines (include "deerflow.cidr.checkRules" (dict "field" "networkPolicy.gateway.extraEgress" "rules" $np.gateway.extraEgress)) -}}
{{- range splitList "\n" (join "\n" $lines) -}}{{- if . -}}{{- $errors = append $errors . -}}{{- end -}}{{- end -}}
{{- range $i, $cidr := $np.internetCidrs -}}
{{- range $field, $list := dict "clusterCidrs" $np.clusterCidrs "metadataCidrs" $np.metadataCidrs -}}
{{- range $j, $x := $list -}}
{{- if eq (include "deerflow.cidr.relation" (list $x $cidr)) "covers" -}}
{{- $errors = append $errors (printf "networkPolicy.internetCidrs[%d]: %s lies entirely inside networkPolicy.%s[%d] (%s), so the egress rule built from it would allow nothing; narrow the exclusion or drop the internet CIDR." $i $cidr $field $j $x) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* The sandbox namespace: the release namespace or under it (tenant isolation by construction). */ -}}
{{- if $.Values.sandbox.enabled -}}
{{- $rel := $.Release.Namespace -}}
{{- $ns := $.Values.sandbox.namespace -}}
{{- if and $ns $.Values.sandbox.namespaceSuffix -}}
{{- $errors = append $errors "sandbox.namespaceSuffix: set sandbox.namespace or sandbox.namespaceSuffix, not both." -}}
{{- end -}}
{{- if and $ns (ne $ns $rel) (not (hasPrefix (printf "%s-" $rel) $ns)) -}}
{{- $errors = append $errors (printf "sandbox.namespace: %s is neither the release namespace (%s) nor under it (%s-...); a tenant's sandboxes must never land in another tenant's namespace. Use %s-sandboxes, or sandbox.namespaceSuffix." $ns $rel $rel $rel) -}}
{{- end -}}
{{- if and (not $.Values.sandbox.admissionPolicy.enabled) (eq (include "deerflow.sandbox.namespace" .) $rel) -}}
{{- $errors = append $errors (printf "sandbox.admissionPolicy.enabled: false with sandboxes in the release namespace (%s) lets the agent's Role delete and patch every Pod there, the gateway and Postgres included (D13); keep the policy, or give sandboxes their own namespace (sandbox.namespaceSuffix)." $rel) -}}
{{- end -}}
{{- $derived := include "deerflow.sandbox.namespace" . -}}
{{- if gt (len $derived) 63 -}}
{{- $errors = append $errors (printf "sandbox.namespaceSuffix: the sandbox namespace %s is longer than 63 characters." $derived) -}}
{{- end -}}
{{- end -}}
{{- if and $.Values.sandbox.enabled $.Values.sandbox.createNamespace -}}
{{- if eq (include "deerflow.sandbox.namespace" .) $.Release.Namespace -}}
{{- $errors = append $errors "sandbox.createNamespace: needs sandbox.namespace or sandbox.namespaceSuffix naming a namespace other than the release namespace (the release namespace exists before the release)." -}}
{{- end -}}
{{- if and (ne $.Values.sandbox.podSecurity.enforce "privileged") (eq $.Values.persistence.home.mode "hostPath") -}}
{{- $errors = append $errors (printf "sandbox.podSecurity.enforce: %s forbids the hostPath volumes sandbox Pods mount with persistence.home.mode=hostPath; use privileged (single-node dev only) or a PVC home." $.Values.sandbox.podSecurity.enforce) -}}
{{- end -}}
{{- if and (eq $.Values.sandbox.podSecurity.enforce "restricted") (not $.Values.sandbox.pod.runAsNonRoot) -}}
{{- $errors = append $errors "sandbox.podSecurity.enforce: restricted needs sandbox.pod.runAsNonRoot=true (and an image that runs as non-root); the pinned AIO image runs as root, so use baseline with it." -}}
{{- end -}}
{{- end -}}

{{- /* NetworkPolicies. */ -}}
{{- if and $.Values.networkPolicy.enabled $.Values.sandbox.enabled (not $.Values.networkPolicy.apiServer.cidrs) -}}
{{- $errors = append $errors "networkPolicy.apiServer.cidrs: the sandbox agent must reach the kube-apiserver; give its endpoint CIDRs (kubectl get endpointslice kubernetes -n default)." -}}
{{- end -}}

{{- /* Istio. */ -}}
{{- if $.Values.istio.ingress.enabled -}}
{{- if not $.Values.istio.ingress.hosts -}}
{{- $errors = append $errors "istio.ingress.hosts: istio.ingress.enabled=true needs at least one host name." -}}
{{- end -}}
{{- if and (not $.Values.istio.ingress.gateway.create) (not $.Values.istio.ingress.gateway.existing) -}}
{{- $errors = append $errors "istio.ingress.gateway.existing: with istio.ingress.gateway.create=false name the Gateway to attach to (namespace/name)." -}}
{{- end -}}
{{- end -}}
{{- if $.Values.istio.llm.enabled -}}
{{- $providers := $.Values.istio.llm.providers -}}
{{- if not $providers -}}
{{- $errors = append $errors "istio.llm.providers: istio.llm.enabled=true needs at least one provider ({name, host, weight})." -}}
{{- else -}}
{{- $sum := 0 -}}{{- $parts := list -}}{{- $seen := dict -}}{{- $hosts := dict -}}
{{- range $i, $p := $providers -}}
{{- $w := $p.weight -}}
{{- if or (not (or (kindIs "float64" $w) (kindIs "int64" $w) (kindIs "int" $w))) (ne (toString (int $w)) (toString $w)) (lt (int $w) 0) (gt (int $w) 100) -}}
{{- $errors = append $errors (printf "istio.llm.providers[%d].weight: %v is not an integer between 0 and 100." $i $w) -}}
{{- end -}}
{{- $sum = add $sum (int $w) -}}
{{- $parts = append $parts (printf "%s=%v" $p.name $w) -}}
{{- if hasKey $seen $p.name -}}{{- $errors = append $errors (printf "istio.llm.providers[%d].name: duplicate provider name %q." $i $p.name) -}}{{- end -}}
{{- $_ := set $seen $p.name true -}}
{{- if hasKey $hosts $p.host -}}{{- $errors = append $errors (printf "istio.llm.providers[%d].host: duplicate provider host %q (one ServiceEntry and DestinationRule per host)." $i $p.host) -}}{{- end -}}
{{- $_ := set $hosts $p.host true -}}
{{- end -}}
{{- if ne (int $sum) 100 -}}
{{- $errors = append $errors (printf "istio.llm.providers: weights must sum to 100, got %d (%s)." (int $sum) (join ", " $parts)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $i, $m := $.Values.deerflow.models -}}
{{- if $m.viaMesh -}}
{{- if not $.Values.istio.llm.enabled -}}
{{- $errors = append $errors (printf "deerflow.models[%d].viaMesh: model %q routes through the mesh, which needs istio.llm.enabled=true and istio.llm.providers." $i $m.name) -}}
{{- end -}}
{{- if or $m.baseUrl $m.apiBase -}}
{{- $errors = append $errors (printf "deerflow.models[%d].viaMesh: model %q sets baseUrl/apiBase as well; with viaMesh the chart sets base_url to the mesh host, so drop baseUrl/apiBase." $i $m.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* Edge. */ -}}
{{- if and $.Values.ingress.enabled $.Values.ingress.tls.enabled (not $.Values.ingress.host) -}}
{{- $errors = append $errors "ingress.host: ingress.tls.enabled=true needs a host name." -}}
{{- end -}}
{{- if and (ne $.Values.nginx.service.type "NodePort") (gt (int $.Values.nginx.service.nodePort) 0) -}}
{{- $errors = append $errors "nginx.service.nodePort: only valid with nginx.service.type=NodePort." -}}
{{- end -}}

{{- if $errors -}}
{{- fail (printf "\n\nInvalid values for the deerflow chart:\n  - %s\n" (join "\n  - " $errors)) -}}
{{- end -}}
{{- end -}}
