// API calls as the API server counts them (`apiserver_request_total` on its /metrics), for the
// calls a provisioner makes per acquire. Only one contender runs at a time, so the difference
// between two readings is that contender's, plus the cluster's own work on the same Pods, which is
// the same for every contender and excluded where it can be: only pods and services themselves
// (no subresource: the scheduler's bindings and kwok's status patches are subresources), and
// reads are GET and LIST (watches are long-lived and counted once, at their start).
import { run } from '../../harness/exec.js';
import { sumSamples } from '../../harness/prometheus.js';

export interface ApiCalls {
  writes: number;
  reads: number;
}

const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY'];
const READ_VERBS = ['GET', 'LIST'];
const RESOURCES = ['pods', 'services'];

/** The API server's request counters for pods and services, summed into writes and reads. */
export async function apiCalls(kubectl: string, kubeconfig: string): Promise<ApiCalls> {
  const { stdout } = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', '--raw', '/metrics']);
  const count = (verbs: readonly string[]) => {
    let sum = 0;
    for (const verb of verbs) for (const resource of RESOURCES) sum += sumSamples(stdout, 'apiserver_request_total', { verb, resource, subresource: '' });
    return sum;
  };
  return { writes: count(WRITE_VERBS), reads: count(READ_VERBS) };
}

export const callsBetween = (before: ApiCalls, after: ApiCalls): ApiCalls => ({ writes: after.writes - before.writes, reads: after.reads - before.reads });
