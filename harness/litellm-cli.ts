// `tsx harness/litellm-cli.ts lock` regenerates harness/litellm/requirements.txt (hash-pinned);
// `env` installs the pinned LiteLLM proxy into the cache (if needed) and prints where it is.
import { compileLock, litellmEnvironment } from './litellm/install.js';
import { log } from './progress.js';

async function main(command: string | undefined): Promise<void> {
  if (command === 'lock') return compileLock();
  if (command !== 'env') throw new Error('usage: litellm-cli.ts lock|env');
  const started = performance.now();
  const env = await litellmEnvironment();
  for (const [key, value] of Object.entries(env)) log('litellm', `${key.padEnd(8)} ${value}`);
  log('litellm', `ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
