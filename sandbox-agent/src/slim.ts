// What the watch cache keeps of each object. A full Pod from the API server is 5–10 kB of JSON
// (spec, managedFields, every status field); the agent reads a handful of fields, so at 10k
// sandboxes the full objects dominated the agent's memory. Every object entering the cache
// (LIST pages, watch events, our own create/patch/delete responses) goes through these
// functions. Keep them in step with what cache.ts, sandboxes.ts, reaper.ts and lifecycle.ts read.

import type {
  KubernetesObject,
  V1ContainerStateTerminated,
  V1ContainerStatus,
  V1ObjectMeta,
  V1Pod,
  V1PodCondition,
  V1Service,
  V1ServicePort,
} from '@kubernetes/client-node';
import { ANN } from './naming.js';

/** Fields of a Pod warning Event the agent reads (cache.ts onEvent). */
export interface EventLike extends KubernetesObject {
  involvedObject?: { name?: string; uid?: string };
  reason?: string;
  message?: string;
  lastTimestamp?: Date | string;
  eventTime?: Date | string;
}

function slimMeta(m: V1ObjectMeta | undefined, keepLabelsAndAnnotations: boolean): V1ObjectMeta {
  const out: V1ObjectMeta = {};
  if (!m) return out;
  if (m.name !== undefined) out.name = m.name;
  if (m.namespace !== undefined) out.namespace = m.namespace;
  if (m.uid !== undefined) out.uid = m.uid;
  // resourceVersion: store ordering and the informer's resume point.
  if (m.resourceVersion !== undefined) out.resourceVersion = m.resourceVersion;
  if (m.creationTimestamp !== undefined) out.creationTimestamp = m.creationTimestamp;
  if (m.deletionTimestamp !== undefined) out.deletionTimestamp = m.deletionTimestamp;
  if (!keepLabelsAndAnnotations) return out;
  if (m.labels !== undefined) out.labels = m.labels;
  if (m.annotations !== undefined) {
    // Only our records (times, user, request); user-supplied Pod annotations are never read.
    const ann: Record<string, string> = {};
    let any = false;
    for (const [k, v] of Object.entries(m.annotations)) {
      if (k.startsWith(ANN)) {
        ann[k] = v;
        any = true;
      }
    }
    if (any) out.annotations = ann;
  }
  // The reaper re-uses the Pod's ownerReference for a Service it recreates.
  if (m.ownerReferences !== undefined && m.ownerReferences.length > 0) out.ownerReferences = m.ownerReferences;
  return out;
}

function slimCondition(c: V1PodCondition): V1PodCondition {
  const out: V1PodCondition = { type: c.type, status: c.status };
  if (c.reason !== undefined) out.reason = c.reason;
  if (c.message !== undefined) out.message = c.message;
  return out;
}

/** Container statuses reduce to what cache.ts reason() reads: waiting and termination reasons. */
function slimContainerStatus(cs: V1ContainerStatus): V1ContainerStatus {
  const w = cs.state?.waiting;
  const out = { name: cs.name, restartCount: cs.restartCount } as V1ContainerStatus;
  const terminated = (t: V1ContainerStateTerminated | undefined) => (t ? { terminated: { exitCode: t.exitCode, ...(t.reason !== undefined ? { reason: t.reason } : {}) } } : undefined);
  if (w) out.state = { waiting: { ...(w.reason !== undefined ? { reason: w.reason } : {}), ...(w.message !== undefined ? { message: w.message } : {}) } };
  else if (cs.state?.terminated) out.state = terminated(cs.state.terminated);
  if (cs.lastState?.terminated) out.lastState = terminated(cs.lastState.terminated);
  return out;
}

export function slimPod(p: V1Pod): V1Pod {
  const out: V1Pod = { metadata: slimMeta(p.metadata, true) };
  const s = p.status;
  if (s) {
    out.status = {};
    if (s.phase !== undefined) out.status.phase = s.phase;
    if (s.conditions) out.status.conditions = s.conditions.map(slimCondition);
    const waitingOnly = (l: V1ContainerStatus[] | undefined): V1ContainerStatus[] | undefined => {
      const kept = (l ?? []).filter((cs) => cs.state?.waiting !== undefined);
      return kept.length > 0 ? kept.map(slimContainerStatus) : undefined;
    };
    const init = waitingOnly(s.initContainerStatuses);
    if (init) out.status.initContainerStatuses = init;
    const main = waitingOnly(s.containerStatuses);
    if (main) out.status.containerStatuses = main;
  }
  return out;
}

function slimPort(p: V1ServicePort): V1ServicePort {
  const out: V1ServicePort = { port: p.port };
  if (p.name !== undefined) out.name = p.name;
  if (p.nodePort !== undefined) out.nodePort = p.nodePort;
  return out;
}

export function slimService(s: V1Service): V1Service {
  const out: V1Service = { metadata: slimMeta(s.metadata, true) };
  if (s.spec?.ports) out.spec = { ports: s.spec.ports.map(slimPort) };
  return out;
}

export function slimEvent(e: EventLike): EventLike {
  const out: EventLike = { metadata: slimMeta(e.metadata, false) };
  if (e.involvedObject) out.involvedObject = { ...(e.involvedObject.name !== undefined ? { name: e.involvedObject.name } : {}), ...(e.involvedObject.uid !== undefined ? { uid: e.involvedObject.uid } : {}) };
  if (e.reason !== undefined) out.reason = e.reason;
  if (e.message !== undefined) out.message = e.message;
  if (e.lastTimestamp !== undefined) out.lastTimestamp = e.lastTimestamp;
  if (e.eventTime !== undefined) out.eventTime = e.eventTime;
  return out;
}
