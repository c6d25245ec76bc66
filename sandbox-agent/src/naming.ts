// Object names, labels and annotations: the only schema of our "database" (the Kubernetes API).

/** Longest id for which `sandbox-{id}-svc` is still a valid Service name (DNS-1035, ≤ 63). */
export const MAX_SANDBOX_ID_LENGTH = 51;
export const SANDBOX_ID_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const SANDBOX_ID_RE = new RegExp(SANDBOX_ID_PATTERN);

export function isValidSandboxId(id: string): boolean {
  return id.length <= MAX_SANDBOX_ID_LENGTH && SANDBOX_ID_RE.test(id);
}

export const podName = (sandboxId: string): string => `sandbox-${sandboxId}`;
export const serviceName = (sandboxId: string): string => `sandbox-${sandboxId}-svc`;

export const LABEL_APP = 'app';
export const LABEL_APP_VALUE = 'deer-flow-sandbox';
export const LABEL_SANDBOX_ID = 'sandbox-id';
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_NAME_VALUE = 'deerflow-sandbox';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_MANAGED_BY_VALUE = 'antler-sandbox-agent';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';

/** What the informers watch: upstream's selector, so foreign upstream-labelled Services are seen like upstream sees them. */
export const SANDBOX_SELECTOR = `${LABEL_APP}=${LABEL_APP_VALUE}`;

/** Prefix of every annotation the agent writes (and the only annotations its cache keeps). */
export const ANN = 'sandbox.antler.dev/';
export const ANN_USER_ID = `${ANN}user-id`;
export const ANN_THREAD_ID = `${ANN}thread-id`;
export const ANN_CREATED_AT = `${ANN}created-at`;
export const ANN_LAST_TOUCH = `${ANN}last-touch`;
export const ANN_RELEASED_AT = `${ANN}released-at`;
export const ANN_RELEASE = `${ANN}release`;
/** The normalized create request, so a Pod lost behind a live Service can be rebuilt exactly. */
export const ANN_REQUEST = `${ANN}request`;

export function sandboxLabels(sandboxId: string, release: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    [LABEL_APP]: LABEL_APP_VALUE,
    [LABEL_SANDBOX_ID]: sandboxId,
    [LABEL_NAME]: LABEL_NAME_VALUE,
    [LABEL_COMPONENT]: 'sandbox',
    [LABEL_MANAGED_BY]: LABEL_MANAGED_BY_VALUE,
    [LABEL_INSTANCE]: release,
  };
}
