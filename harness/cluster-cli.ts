// `make cluster-up` / `make cluster-down`: idempotent start and complete stop of the test cluster.
import { formatDuration, log } from './progress.js';
import { selectBackend } from './cluster.js';

async function main(command: string | undefined): Promise<void> {
  const started = performance.now();
  const backend = await selectBackend();
  if (command === 'up') {
    const info = await backend.up();
    log('cluster', `${info.created ? 'started' : 'already running:'} ${info.backend} cluster "${info.name}" in ${formatDuration(performance.now() - started)}`);
    log('cluster', `kubectl --kubeconfig ${info.kubeconfig} get nodes`);
    process.stdout.write(`${info.kubeconfig}\n`);
  } else if (command === 'down') {
    await backend.down();
    log('cluster', `${backend.name} cluster stopped in ${formatDuration(performance.now() - started)}`);
  } else {
    process.stderr.write('usage: cluster-cli.ts up|down\n');
    process.exit(2);
  }
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
