// `make test` / `make e2e` preparation, each step timed and summarised at the end so a cold CI run
// shows where its time went: the pinned tools (Go builds on a cold cache), DeerFlow's source and
// Python environment (uv sync from PyPI), the pinned LiteLLM proxy (the host suite's gateway), and
// the local images the real node runs.
import { deerflowEnvironment } from './deerflow/python.js';
import { litellmEnvironment } from './litellm/install.js';
import { buildImage } from './images/build.js';
import type { ImageName } from './images/catalog.js';
import { realNodeWanted } from './node/real-node.js';
import { REAL_NODE_IMAGES } from './e2e/real-node.js';
import { formatDuration, log } from './progress.js';
import { TOOL_SETS } from './tool-manifest.js';
import { ensureTools, helmPluginsDir, resolveCrds } from './tools.js';

type SetName = keyof typeof TOOL_SETS;

async function main(setName: string | undefined): Promise<void> {
  if (!setName || !(setName in TOOL_SETS)) throw new Error(`usage: prepare-cli.ts ${Object.keys(TOOL_SETS).join('|')}`);
  const timings: [string, number][] = [];
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings.push([what, performance.now() - started]);
    }
  };
  const names = TOOL_SETS[setName as SetName];
  for (const name of names) await timed(`tool ${name}`, () => ensureTools([name]));
  if (names.includes('helm-unittest')) await helmPluginsDir();
  await timed('CRDs', () => resolveCrds());
  await timed('LiteLLM proxy (pip install --require-hashes)', () => litellmEnvironment());
  // The real node belongs to the local backend; kind runs the upstream images.
  const node = process.env.CLUSTER === 'kind' ? { enabled: false, reason: 'CLUSTER=kind' } : await realNodeWanted();
  if (node.enabled) {
    await timed('DeerFlow source + uv sync', () => deerflowEnvironment());
    for (const image of ['pause', 'coredns', 'kube-network-policies', ...REAL_NODE_IMAGES] as ImageName[]) {
      await timed(`image ${image}`, () => buildImage(image));
    }
  } else {
    log('prepare', `no real node here (${node.reason}): DeerFlow and the local images are not prepared`);
  }
  const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
  log('prepare', `where the preparation time went (total ${formatDuration(total)}):`);
  for (const [what, ms] of timings.filter(([, ms]) => ms >= 1000).sort((a, b) => b[1] - a[1])) log('prepare', `  ${formatDuration(ms).padStart(7)}  ${what}`);
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
