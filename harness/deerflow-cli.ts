// `tsx harness/deerflow-cli.ts env` resolves DeerFlow's source and synced Python environment and
// prints where they are.
import { log } from './progress.js';
import { deerflowEnvironment } from './deerflow/python.js';

async function main(command: string | undefined): Promise<void> {
  if (command !== 'env') throw new Error('usage: deerflow-cli.ts env');
  const env = await deerflowEnvironment();
  for (const [key, value] of Object.entries(env)) log('deerflow', `${key.padEnd(8)} ${value}`);
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
