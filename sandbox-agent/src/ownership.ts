// DeerFlow's sandbox ownership leases, read-only: which sandboxes a live gateway process still
// holds. With `sandbox.ownership.type: redis` every gateway process keeps a key
// `<key_prefix>:<sandbox_id>` = `own:<owner>` (or `del:<owner>` while it tears the sandbox down)
// with a TTL it renews for every active and warm sandbox (contract §7.17). The reaper asks this
// before an idle or released TTL reap. The agent never writes a lease.

import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { OwnershipSettings } from './config.js';

export interface OwnershipLeases {
  /** The ids among `ids` whose lease a live gateway holds. Rejects when the lease store does not answer. */
  held(ids: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

/** Not configured: nothing is ever held (every TTL reap goes ahead, as without leases). */
export const NO_OWNERSHIP_LEASES: OwnershipLeases = {
  held: async () => new Set(),
  close: async () => undefined,
};

/** A lease value that means a live gateway is responsible for the sandbox (or deleting it). */
export function isHeldLease(value: string | null): boolean {
  return value !== null && (value.startsWith('own:') || value.startsWith('del:'));
}

/** Bounds every connect and every command: a reaper pass never waits longer on Redis. */
export const OWNERSHIP_TIMEOUT_MS = 2000;

/** The leases in Redis, through one lazily opened ioredis connection; one MGET per call. */
export class RedisOwnershipLeases implements OwnershipLeases {
  private client: Redis | undefined;
  /** The connection's last error since it was last ready (an MGET failure alone only says "max retries"). */
  private connectionError: Error | undefined;

  constructor(
    private readonly settings: OwnershipSettings,
    private readonly log: Logger,
    private readonly timeoutMs = OWNERSHIP_TIMEOUT_MS,
  ) {}

  key(sandboxId: string): string {
    return `${this.settings.keyPrefix}:${sandboxId}`;
  }

  async held(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    let values: (string | null)[];
    try {
      values = await this.redis().mget(ids.map((id) => this.key(id)));
    } catch (err) {
      const why = this.connectionError !== undefined && this.connectionError.message !== (err as Error).message ? ` (connection: ${this.connectionError.message})` : '';
      throw new Error(`ownership Redis ${this.settings.where}: ${(err as Error).message}${why}`, { cause: err });
    }
    if (values.length !== ids.length) throw new Error(`MGET answered ${values.length} values for ${ids.length} keys`);
    return new Set(ids.filter((_, i) => isHeldLease(values[i] ?? null)));
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    if (client.status === 'ready') {
      await client.quit().catch(() => client.disconnect());
    } else {
      client.disconnect();
    }
  }

  private redis(): Redis {
    if (this.client !== undefined) return this.client;
    const s = this.settings;
    const client = new Redis({
      host: s.host,
      port: s.port,
      db: s.db,
      ...(s.username !== undefined ? { username: s.username } : {}),
      ...(s.password !== undefined ? { password: s.password } : {}),
      ...(s.tls ? { tls: {} } : {}),
      lazyConnect: true,
      connectTimeout: this.timeoutMs,
      commandTimeout: this.timeoutMs,
      // A command queued while disconnected fails after one reconnect attempt instead of twenty;
      // reconnects keep going in the background, spaced up to 5 s.
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 5000),
    });
    // Failures reach the reaper through the rejected MGET (logged and counted there); the
    // connection's own error events would otherwise repeat on every reconnect attempt.
    client.on('error', (err: Error) => {
      this.connectionError = err;
      this.log.debug({ err, redis: s.where }, 'ownership Redis connection error');
    });
    client.on('ready', () => {
      this.connectionError = undefined;
    });
    this.client = client;
    return client;
  }
}

export function ownershipLeases(settings: OwnershipSettings | undefined, log: Logger): OwnershipLeases {
  return settings === undefined ? NO_OWNERSHIP_LEASES : new RedisOwnershipLeases(settings, log);
}
