// The image's ENTRYPOINT runs the agent's bundle with the one list of Node flags (node-flags.ts)
// that the harness image and the benchmarks use too, and the Dockerfile ships what build.ts makes.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_BUNDLE_FILES } from '../build.js';
import { AGENT_IMAGE_ENTRY, AGENT_NODE_ARGS } from '../node-flags.js';
import { repoRoot } from './agent-process.js';

const dockerfileLines = async () => (await readFile(path.join(repoRoot, 'sandbox-agent/Dockerfile'), 'utf8')).split('\n');

describe('the agent image', () => {
  it('has an ENTRYPOINT of node, AGENT_NODE_ARGS and the bundle', async () => {
    const line = (await dockerfileLines()).filter((l) => l.startsWith('ENTRYPOINT '));
    expect(line).toHaveLength(1);
    expect(JSON.parse((line[0] as string).slice('ENTRYPOINT '.length))).toEqual(['node', ...AGENT_NODE_ARGS, AGENT_IMAGE_ENTRY]);
  });
  it('copies exactly the files build.ts makes into the runtime stage, and no node_modules', async () => {
    const lines = await dockerfileLines();
    const froms = lines.flatMap((l, i) => (l.startsWith('FROM ') ? [i] : []));
    const runtime = lines.slice(froms.at(-1));
    const copies = runtime.filter((l) => l.startsWith('COPY '));
    expect(copies).toHaveLength(1);
    const args = (copies[0] as string).split(/\s+/).slice(1).filter((a) => !a.startsWith('--'));
    expect(args.at(-1)).toBe('./dist/');
    expect(args.slice(0, -1)).toEqual(AGENT_BUNDLE_FILES.map((f) => `/src/sandbox-agent/${f}`));
    expect(runtime.join('\n')).not.toMatch(/node_modules/);
  });
});
