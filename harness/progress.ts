// Live progress for long harness steps: a start line, a heartbeat while the step runs (a cold
// Kubernetes build is silent for minutes), and the elapsed time when it ends.

const HEARTBEAT_MS = 20_000;

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds - minutes * 60)).padStart(2, '0')}s`;
}

export function log(scope: string, message: string): void {
  process.stderr.write(`[${scope}] ${message}\n`);
}

/** Runs `work`, printing what it waits for every 20 s, and the elapsed time at the end. */
export async function step<T>(scope: string, title: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  log(scope, `${title} …`);
  const heartbeat = setInterval(() => {
    log(scope, `  still ${title} (${formatDuration(performance.now() - started)})`);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const result = await work();
    log(scope, `${title}: done in ${formatDuration(performance.now() - started)}`);
    return result;
  } catch (error) {
    log(scope, `${title}: FAILED after ${formatDuration(performance.now() - started)}`);
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}
