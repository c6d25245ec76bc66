// The one way the harness waits for a condition: poll until it holds, and throw at the deadline
// (never return silently with the condition unmet).

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` until it returns a value (anything but undefined, null or false) and resolves to
 * it. At `timeoutMs` it throws an error naming `what`, with the last probe error if the probe
 * itself kept failing.
 */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, intervalMs = 250): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > timeoutMs) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${cause}`);
    }
    await sleep(intervalMs);
  }
}

/** `waitFor` a condition; resolves to the time it took to hold. */
export async function eventually(what: string, timeoutMs: number, probe: () => Promise<boolean> | boolean, intervalMs = 250): Promise<number> {
  const started = Date.now();
  await waitFor(what, timeoutMs, probe, intervalMs);
  return Date.now() - started;
}
