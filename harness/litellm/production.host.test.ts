// The production profile's gateway config loads in the pinned proxy (issue 11, "done when"): the
// config.yaml the chart renders from values/profiles/production.yaml alone, started by LiteLLM
// 1.108.7 from the hash-pinned install with Debian's redis-server as its Redis. The profile's
// providers are outside the machine and are never called: readiness and the model list are the
// proxy's own answers, not upstream checks.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePorts } from '../ports.js';
import { type RunningRedis, startRedis } from '../redis.js';
import { renderGatewayConfig } from './fixture.js';
import { type RunningProxy, startProxy } from './proxy.js';
import { LITELLM_VERSION } from './version.js';

const PRODUCTION = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'values', 'profiles', 'production.yaml');
const MASTER = 'sk-antler-production-profile-test';
let work = '';
let redis: RunningRedis | undefined;
let proxy: RunningProxy | undefined;
let configYaml = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'antler-llm-production-'));
  const [redisPort, port] = await freePorts(2, '127.0.0.1');
  redis = await startRedis(work, redisPort!, { purpose: 'the LLM gateway tests (the production profile)' });
  const config = await renderGatewayConfig({}, work, 'production', [PRODUCTION]);
  configYaml = await readFile(config, 'utf8');
  // The keys the profile's existingSecret holds (LITELLM_MASTER_KEY, RELAY_API_KEY, OPENAI_API_KEY) and the release Redis URL.
  proxy = await startProxy({ name: 'production', config, port: port!, workDir: work, env: { LITELLM_MASTER_KEY: MASTER, RELAY_API_KEY: 'unused', OPENAI_API_KEY: 'unused', LITELLM_REDIS_URL: `${redis.url}/1` }, startTimeoutMs: 240_000 });
}, 600_000);

afterAll(async () => {
  await proxy?.stop();
  await redis?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

describe('the production profile\'s LLM gateway config in LiteLLM 1.108.7', () => {
  it('loads: the proxy is ready, on the pinned version, and serves the profile\'s group as its ordered deployments', async () => {
    const get = async (p: string) => {
      const res = await fetch(`${proxy!.url}${p}`, { headers: { authorization: `Bearer ${MASTER}` }, signal: AbortSignal.timeout(10_000) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const ready = await get('/health/readiness');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'healthy' });
    const details = await get('/health/readiness/details');
    expect(details.json).toMatchObject({ status: 'healthy', litellm_version: LITELLM_VERSION });
    const rendered = (parse(configYaml) as { model_list: { model_name: string; model_info: { id: string } }[] }).model_list;
    expect(rendered.map((m) => [m.model_name, m.model_info.id])).toEqual([['gpt-4o', 'gpt-4o/1/relay'], ['gpt-4o', 'gpt-4o/2/openai']]);
    const info = await get('/model/info');
    expect(info.status).toBe(200);
    const served = (info.json.data as { model_name: string; model_info?: { id?: string }; litellm_params?: { api_base?: string } }[]).map((d) => [d.model_name, d.model_info?.id, d.litellm_params?.api_base]);
    expect(served).toEqual([['gpt-4o', 'gpt-4o/1/relay', 'https://llm-relay.example.com/v1'], ['gpt-4o', 'gpt-4o/2/openai', 'https://api.openai.com/v1']]);
  });
});
