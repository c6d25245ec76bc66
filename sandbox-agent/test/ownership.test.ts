// DeerFlow's sandbox ownership leases in a real Redis: Debian's redis-server as a child process on
// a free loopback port (installed with apt when missing, never skipped). The test plays DeerFlow's
// gateway the way its RedisOwnershipStore writes (`own:<owner>` / `del:<owner>`, SET ... PX;
// `deerflow/community/aio_sandbox/ownership/redis.py:46-47,59-66`, contract §7.17) and checks the agent's
// ioredis-based reader alone, then the real reaper over it: a compressed long turn (a lease
// renewed while the turn makes no provisioner call) keeps its sandbox past the idle TTL, and
// the sandbox is reaped once the gateway stops renewing; Redis going away stops idle reaps.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/ports.js';
import { type RunningRedis, startRedis } from '../../harness/redis.js';
import { eventually, sleep } from '../../harness/wait.js';
import { loadConfig, type OwnershipSettings } from '../src/config.js';
import { podName } from '../src/naming.js';
import { RedisOwnershipLeases } from '../src/ownership.js';
import { API_KEY, type InProcessAgent, inProcessAgent } from './in-process.js';

const PASSWORD = 'lease-test-pass';
const PREFIX = 'deerflow:sandbox:owner';
const TTL_MS = 120_000; // DeerFlow's default: renewal 30 s x ttl_multiplier 4 (ownership/factory.py:71-78)
const log = pino({ level: 'silent' });

/** redis-server with a password on one port, stopped and started again by the tests (harness/redis.ts). */
class RedisServer {
  private running: RunningRedis | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'antler-redis-'));

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.running = await startRedis(this.dir, this.port, { password: PASSWORD, purpose: 'the ownership-lease tests (sandbox-agent/test/ownership.test.ts)' });
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.stop();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = new RedisServer(await freePort('127.0.0.1'));
  await server.start();
  admin = new Redis({ host: '127.0.0.1', port: server.port, password: PASSWORD, maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined); // reconnects while a test has the server stopped
}, 900_000);

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
  server?.remove();
});

function settings(env: Record<string, string> = {}): OwnershipSettings {
  const s = loadConfig({ SANDBOX_AGENT_OWNERSHIP_REDIS_URL: `redis://127.0.0.1:${server.port}/0`, SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD: PASSWORD, ...env }).ownership;
  if (s === undefined) throw new Error('ownership not configured');
  return s;
}

/** As DeerFlow's `take` publishes a lease: SET <prefix>:<id> <value> PX <ttl>. */
async function lease(id: string, value: string, ttlMs = TTL_MS, prefix = PREFIX, db?: Redis): Promise<void> {
  await (db ?? admin).set(`${prefix}:${id}`, value, 'PX', ttlMs);
}

function commandCalls(info: string, cmd: string): number {
  return Number(new RegExp(`^cmdstat_${cmd}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}

async function clients(): Promise<number> {
  return Number(/^connected_clients:(\d+)/m.exec(await admin.info('clients'))?.[1] ?? Number.NaN);
}

describe('RedisOwnershipLeases against redis-server', () => {
  it('own: and del: leases are held; absent, expired, other values and other prefixes are not; one MGET, connected lazily, closed', async () => {
    await lease('aaaa000000000001', 'own:gw-a:0123456789abcdef');
    await lease('aaaa000000000002', 'del:gw-a:0123456789abcdef');
    await lease('aaaa000000000003', 'own:gw-b:fedcba9876543210', 50);
    await lease('aaaa000000000005', 'not-a-lease');
    await lease('aaaa000000000006', 'own:gw-c:1', TTL_MS, 'another:prefix');
    await eventually('the 50 ms lease to expire', 5000, async () => (await admin.exists(`${PREFIX}:aaaa000000000003`)) === 0, 20);

    const before = await clients();
    const leases = new RedisOwnershipLeases(settings(), log);
    expect(await clients()).toBe(before); // lazy: constructing connects nothing
    await admin.config('RESETSTAT');
    const ids = ['aaaa000000000001', 'aaaa000000000002', 'aaaa000000000003', 'aaaa000000000004', 'aaaa000000000005', 'aaaa000000000006'];
    expect([...(await leases.held(ids))].sort()).toEqual(['aaaa000000000001', 'aaaa000000000002']);
    const stats = await admin.info('commandstats');
    expect(commandCalls(stats, 'mget')).toBe(1);
    expect(commandCalls(stats, 'get')).toBe(0);
    expect(await clients()).toBe(before + 1);
    expect(await leases.held([])).toEqual(new Set());
    expect(commandCalls(await admin.info('commandstats'), 'mget')).toBe(1); // nothing to ask, nothing asked
    await leases.close();
    await eventually('the lease reader to disconnect', 5000, async () => (await clients()) === before, 20);
    // The agent only reads: every lease is as DeerFlow left it.
    expect(await admin.get(`${PREFIX}:aaaa000000000001`)).toBe('own:gw-a:0123456789abcdef');
    expect(await admin.pttl(`${PREFIX}:aaaa000000000001`)).toBeGreaterThan(TTL_MS - 60_000);
  });

  it('follows the configured key prefix (trailing colons dropped, as DeerFlow does) and database', async () => {
    const db3 = new Redis({ host: '127.0.0.1', port: server.port, password: PASSWORD, db: 3 });
    try {
      await lease('bbbb000000000001', 'own:gw:1', TTL_MS, 'team-a:owners', db3);
      await lease('bbbb000000000002', 'own:gw:1', TTL_MS, 'team-a:owners'); // database 0: not where the agent looks
      const leases = new RedisOwnershipLeases(settings({ SANDBOX_AGENT_OWNERSHIP_REDIS_URL: `redis://127.0.0.1:${server.port}/3`, SANDBOX_AGENT_OWNERSHIP_KEY_PREFIX: 'team-a:owners::' }), log);
      try {
        expect(leases.key('bbbb000000000001')).toBe('team-a:owners:bbbb000000000001');
        expect([...(await leases.held(['bbbb000000000001', 'bbbb000000000002']))]).toEqual(['bbbb000000000001']);
      } finally {
        await leases.close();
      }
    } finally {
      db3.disconnect();
    }
  });

  it('a wrong or missing password, nothing listening, and a server that never answers all reject within the timeout', async () => {
    await lease('cccc000000000001', 'own:gw:1');
    const silent: Socket[] = [];
    const blackhole: Server = createServer((s) => silent.push(s));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const blackholePort = (blackhole.address() as { port: number }).port;
    const nobody = await freePort('127.0.0.1');
    const base = settings();
    const cases: [string, OwnershipSettings, RegExp][] = [
      ['wrong password', { ...base, password: 'not-the-password' }, /WRONGPASS/],
      ['no password', { ...base, password: undefined }, /NOAUTH/],
      ['nothing listening', { ...base, port: nobody }, /ECONNREFUSED/],
      ['never answers', { ...base, port: blackholePort }, /timed out|timeout|max retries/i],
    ];
    try {
      for (const [what, s, message] of cases) {
        const leases = new RedisOwnershipLeases(s, log, 400);
        const started = Date.now();
        try {
          const err = await leases.held(['cccc000000000001']).then(() => undefined, (e: unknown) => e as Error);
          expect(err, what).toBeInstanceOf(Error);
          expect(err?.message, what).toMatch(message);
          expect(err?.message, what).not.toContain(PASSWORD);
          expect(Date.now() - started, what).toBeLessThan(3000);
        } finally {
          await leases.close();
        }
      }
    } finally {
      for (const s of silent) s.destroy();
      blackhole.close();
    }
  });
});

describe('the reaper over real leases', () => {
  const ENV = { SANDBOX_SERVICE_TYPE: 'Headless', SANDBOX_AGENT_HEADLESS_SERVICE: 'sbx-dns', SANDBOX_AGENT_IDLE_TTL_SECONDS: '1', SANDBOX_AGENT_START_GRACE_SECONDS: '0', SANDBOX_AGENT_REAPER_INTERVAL_SECONDS: '0.2' };

  async function withAgent(fn: (a: InProcessAgent, leases: RedisOwnershipLeases) => Promise<void>): Promise<void> {
    const leases = new RedisOwnershipLeases(settings(), log, 500);
    const a = await inProcessAgent(ENV, leases);
    try {
      await fn(a, leases);
    } finally {
      await a.reaper.stop();
      await a.app.close();
      await leases.close();
    }
  }

  async function acquire(a: InProcessAgent, id: string): Promise<void> {
    const r = await a.app.inject({ method: 'POST', url: '/api/sandboxes', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' }, payload: JSON.stringify({ sandbox_id: id, thread_id: 't', user_id: 'u' }) });
    expect(r.statusCode, r.body).toBe(200);
    await a.settle();
  }

  const metric = async (a: InProcessAgent, name: string): Promise<string> => a.metrics.registry.getSingleMetricAsString(name);

  it('a compressed long turn: the sandbox outlives the idle TTL while its gateway renews the lease, and is reaped once it stops', async () => {
    await withAgent(async (a) => {
      // Scaled from DeerFlow's 30 s renewal and 120 s TTL (x4) against a 1 s idle TTL.
      const renewMs = 150;
      const ttlMs = 600;
      await acquire(a, 'dddd000000000001');
      await acquire(a, 'dddd000000000002'); // no gateway holds this one: a leak
      const owner = 'own:gateway-0:5f1c0de';
      await lease('dddd000000000001', owner, ttlMs);
      const renew = setInterval(() => void lease('dddd000000000001', owner, ttlMs), renewMs);
      try {
        a.reaper.start();
        await eventually('the unheld sandbox to be reaped', 10_000, () => !a.api.pods.has(podName('dddd000000000002')), 50);
        // The turn runs on, making no provisioner call, for three idle TTLs.
        await sleep(3000);
        expect(a.api.pods.has(podName('dddd000000000001'))).toBe(true);
        expect(await metric(a, 'sandbox_agent_ownership_held_skips_total')).toMatch(/reason="idle_ttl"} [1-9]/);
      } finally {
        clearInterval(renew);
      }
      // The gateway process is gone: no renewals, the lease expires, the next pass reaps.
      const stopped = Date.now();
      await eventually('the sandbox to be reaped after its lease expired', 10_000, () => !a.api.pods.has(podName('dddd000000000001')), 50);
      expect(Date.now() - stopped).toBeGreaterThanOrEqual(ttlMs - renewMs - 50);
      expect(await metric(a, 'sandbox_agent_reaps_total')).toContain('reason="idle_ttl"} 2');
      expect(await metric(a, 'sandbox_agent_ownership_check_failures_total')).toContain('sandbox_agent_ownership_check_failures_total 0');
    });
  });

  it('with Redis gone no sandbox is reaped for the idle TTL (counted); once it is back the reaper catches up', async () => {
    await withAgent(async (a) => {
      await acquire(a, 'eeee000000000001');
      await sleep(1100); // idle TTL passed; no lease: a leak the reaper should collect
      await server.stop();
      try {
        const stats = await a.reaper.sweep();
        expect(stats).toMatchObject({ reaped: 0, ownershipCheckFailed: true });
        expect(a.api.pods.has(podName('eeee000000000001'))).toBe(true);
        expect(await metric(a, 'sandbox_agent_ownership_check_failures_total')).toContain('sandbox_agent_ownership_check_failures_total 1');
      } finally {
        await server.start();
      }
      await eventually('a pass that reaps the leak once Redis answers again', 15_000, async () => (await a.reaper.sweep()).reaped === 1, 200);
      expect(a.api.pods.has(podName('eeee000000000001'))).toBe(false);
    });
  });
});
