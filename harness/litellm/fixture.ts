// The chart's own rendering of the proxy config (`helm template --show-only
// templates/llm-gateway/configmap.yaml` with given values), for the host suite and the benchmark.
// The proxies come from proxy.ts, Redis from ../redis.ts, the providers from fakes/llm-provider.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { run } from '../exec.js';
import { resolveTool } from '../tools.js';

const CHART = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'chart');

/**
 * Renders the chart's LLM gateway config.yaml for `values` (over `valueFiles`, e.g. a profile)
 * into `<dir>/<name>.yaml`; returns the path.
 */
export async function renderGatewayConfig(values: Readonly<Record<string, unknown>>, dir: string, name: string, valueFiles: readonly string[] = []): Promise<string> {
  await mkdir(dir, { recursive: true });
  const valuesFile = path.join(dir, `${name}.values.json`);
  await writeFile(valuesFile, JSON.stringify(values, null, 2));
  const helm = await resolveTool('helm');
  const { stdout } = await run(helm, ['template', 'llm', CHART, ...valueFiles.flatMap((f) => ['-f', f]), '-f', valuesFile, '--show-only', 'templates/llm-gateway/configmap.yaml']);
  const doc = parseAllDocuments(stdout).map((d) => d.toJS() as { kind?: string; data?: Record<string, string> } | null).find((d) => d?.kind === 'ConfigMap');
  const config = doc?.data?.['config.yaml'];
  if (config === undefined) throw new Error(`helm rendered no llm-gateway ConfigMap for ${valuesFile}`);
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, config);
  return file;
}
