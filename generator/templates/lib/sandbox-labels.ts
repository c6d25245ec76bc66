/**
 * The labels the sandbox agent puts on every sandbox Pod and Service it creates, taken from the
 * agent's own naming module so the chart's selectors (headless Service, NetworkPolicies) and the
 * admission policy can never drift from what the agent writes.
 */
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_NAME, LABEL_NAME_VALUE } from '../../../sandbox-agent/src/naming.js';

/** `key: value` pairs of one release's sandbox labels; the instance value is the release name. */
export const SANDBOX_LABELS: readonly (readonly [string, string])[] = [
  [LABEL_NAME, LABEL_NAME_VALUE],
  [LABEL_COMPONENT, 'sandbox'],
  [LABEL_INSTANCE, '{{ .Release.Name }}'],
];

/** The labels as YAML lines (unindented). */
export const sandboxLabelsYaml: string = SANDBOX_LABELS.map(([k, v]) => `${k}: ${v}`).join('\n');

/** The labels as a kubectl selector (`a=b,c=d`). */
export const sandboxLabelSelector: string = SANDBOX_LABELS.map(([k, v]) => `${k}=${v}`).join(',');
