// Every error type the agent raises on purpose, in one place. Anything else reaching the HTTP
// layer is a bug and is answered like upstream answers an unhandled exception (500 text/plain).

/** A setting the agent cannot start with; `variable` is the environment variable at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** An error with the HTTP status and `detail` the client sees; `extra` adds non-contract keys. */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
  }
}

/** A client error raised before any Kubernetes write (upstream's 400 `{"detail": message}`). */
export class BadRequestError extends HttpError {
  override readonly name = 'BadRequestError';
  constructor(detail: string) {
    super(400, detail);
  }
}

/** A failed Kubernetes API call, normalised (kube.ts `toKubeError`). */
export class KubeError extends Error {
  override readonly name = 'KubeError';
  constructor(
    /** HTTP status from the API server, 0 when no response arrived. */
    readonly status: number,
    /** HTTP reason phrase ("Forbidden", "Unprocessable Entity"), what upstream reports. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeError && e.status === 409;

/** Upstream detail (`<prefix>: <reason phrase>`); the API server's message goes in an extra key. */
export function kubeHttpError(prefix: string, err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof KubeError) return new HttpError(500, `${prefix}: ${err.reason}`, { message: err.message });
  return new HttpError(500, `${prefix}: ${String(err)}`);
}
