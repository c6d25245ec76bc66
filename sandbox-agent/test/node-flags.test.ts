// The image's ENTRYPOINT runs the agent with the one list of Node flags (node-flags.ts) that the
// harness image and the benchmarks use too.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_IMAGE_ENTRY, AGENT_NODE_ARGS } from '../node-flags.js';
import { repoRoot } from './agent-process.js';

describe('the agent image entrypoint', () => {
  it('is node, AGENT_NODE_ARGS and the compiled entry', async () => {
    const dockerfile = await readFile(path.join(repoRoot, 'sandbox-agent/Dockerfile'), 'utf8');
    const line = dockerfile.split('\n').filter((l) => l.startsWith('ENTRYPOINT '));
    expect(line).toHaveLength(1);
    expect(JSON.parse((line[0] as string).slice('ENTRYPOINT '.length))).toEqual(['node', ...AGENT_NODE_ARGS, AGENT_IMAGE_ENTRY]);
  });
});
