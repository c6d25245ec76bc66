// `tsx harness/deerflow-cli.ts env` resolves DeerFlow's source and synced Python environment and
// prints where they are; `frontend` builds (or finds in the cache) DeerFlow's web UI.
import { log } from './progress.js';
import { deerflowFrontend } from './deerflow/frontend.js';
import { deerflowEnvironment } from './deerflow/python.js';

async function main(command: string | undefined): Promise<void> {
  const commands: Record<string, () => Promise<object>> = { env: deerflowEnvironment, frontend: deerflowFrontend };
  const resolve = command ? commands[command] : undefined;
  if (!resolve) throw new Error(`usage: deerflow-cli.ts ${Object.keys(commands).join('|')}`);
  const started = performance.now();
  for (const [key, value] of Object.entries(await resolve())) log('deerflow', `${key.padEnd(8)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  log('deerflow', `resolved in ${Math.round(performance.now() - started)} ms`);
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
