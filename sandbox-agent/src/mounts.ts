// Extra-mount semantics of the upstream provisioner (contract §1.3, §2.2 C–E): lark filtering,
// the 400 validation chain with its exact messages, and the PVC subPath mapping.

import type { Config } from './config.js';
import { BadRequestError } from './errors.js';
import { isWithin, pyIsAbs, pyNormpath, pyRelpath } from './pypath.js';
import type { CreateSandboxRequest, ExtraMount } from './validation.js';

export const MAX_EXTRA_MOUNTS = 10;
export const LARK_RUNTIME_PATH = '/mnt/integrations/lark-cli/runtime';
export const LARK_CONFIG_PATH = '/mnt/integrations/lark-cli/config';
export const LARK_LOCKS_PATH = '/mnt/integrations/lark-cli/config/locks';
export const LARK_DATA_PATH = '/mnt/integrations/lark-cli/data';

export const ALLOWED_EXTRA_MOUNT_PATHS: ReadonlySet<string> = new Set([
  '/mnt/acp-workspace',
  '/mnt/skills/custom',
  '/mnt/skills/integrations',
  LARK_CONFIG_PATH,
  LARK_LOCKS_PATH,
  LARK_DATA_PATH,
  LARK_RUNTIME_PATH,
]);

export interface LarkMode {
  runtime: boolean;
  broker: boolean;
}

export function larkMode(req: CreateSandboxRequest, cfg: Pick<Config, 'larkCliInitImage' | 'larkCliBrokerImage'>): LarkMode {
  const broker = req.provision_lark_cli_broker && cfg.larkCliBrokerImage !== '';
  const runtime = !broker && req.provision_lark_cli_runtime && cfg.larkCliInitImage !== '';
  return { runtime, broker };
}

const BROKER_PROVIDED = new Set([LARK_RUNTIME_PATH, LARK_CONFIG_PATH, LARK_LOCKS_PATH, LARK_DATA_PATH]);

/** Mounts the runtime (emptyDir / broker sidecar) provides itself are not mounted into `sandbox`. */
export function withoutRuntimeProvided(mounts: ExtraMount[], mode: LarkMode): ExtraMount[] {
  if (mode.broker) return mounts.filter((m) => !BROKER_PROVIDED.has(pyNormpath(m.container_path)));
  if (mode.runtime) return mounts.filter((m) => pyNormpath(m.container_path) !== LARK_RUNTIME_PATH);
  return mounts;
}

/** Upstream `_validated_extra_mounts`; returns normalized copies. */
export function validateExtraMounts(mounts: ExtraMount[], hostBase: string): ExtraMount[] {
  if (mounts.length > MAX_EXTRA_MOUNTS) throw new BadRequestError(`Too many extra mounts; max is ${MAX_EXTRA_MOUNTS}`);
  const seen = new Set<string>();
  const out: ExtraMount[] = [];
  for (const m of mounts) {
    const host = pyNormpath(m.host_path);
    if (!pyIsAbs(host)) throw new BadRequestError(`Extra mount host path must be absolute: ${m.host_path}`);
    if (!isWithin(host, hostBase)) throw new BadRequestError(`Extra mount host path is outside DeerFlow state: ${m.host_path}`);
    const container = pyNormpath(m.container_path);
    if (!pyIsAbs(container)) throw new BadRequestError(`Extra mount path must be absolute: ${m.container_path}`);
    if (!ALLOWED_EXTRA_MOUNT_PATHS.has(container)) throw new BadRequestError(`Unsupported extra mount path: ${m.container_path}`);
    if (seen.has(container)) throw new BadRequestError(`Duplicate extra mount path: ${container}`);
    seen.add(container);
    out.push({ host_path: host, container_path: container, read_only: m.read_only });
  }
  return out;
}

/** PVC subPath for a validated host path (`deer-flow/<relpath>`), or the upstream 400. */
export function pvcSubPath(hostPath: string, hostBase: string): string {
  const rel = pyRelpath(hostPath, hostBase);
  if (rel === '.' || rel === '..' || rel.startsWith('../') || rel.split('/').includes('..')) {
    throw new BadRequestError(`Invalid extra mount host path: ${hostPath}`);
  }
  return `deer-flow/${rel}`;
}

export interface ResolvedMounts {
  /** Extra mounts for the sandbox container, in request order. */
  sandbox: ExtraMount[];
  /** Broker credential mounts (config, locks, data order), only in broker mode. */
  brokerCredentials: ExtraMount[];
  lark: LarkMode;
}

/** Everything that can reject a create with 400 happens here, before any Kubernetes call. */
export function resolveMounts(req: CreateSandboxRequest, cfg: Config): ResolvedMounts {
  const lark = larkMode(req, cfg);
  const sandbox = validateExtraMounts(withoutRuntimeProvided(req.extra_mounts, lark), cfg.extraMountHostBase);
  let brokerCredentials: ExtraMount[] = [];
  if (lark.broker) {
    const all = validateExtraMounts(req.extra_mounts, cfg.extraMountHostBase);
    brokerCredentials = [LARK_CONFIG_PATH, LARK_LOCKS_PATH, LARK_DATA_PATH]
      .map((p) => all.find((m) => m.container_path === p))
      .filter((m): m is ExtraMount => m !== undefined);
  }
  if (cfg.userdataPvcName !== '') {
    for (const m of [...sandbox, ...brokerCredentials]) pvcSubPath(m.host_path, cfg.extraMountHostBase);
  }
  return { sandbox, brokerCredentials, lark };
}
