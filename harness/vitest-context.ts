// What the cluster global setup hands to test files through `inject()`.
import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    clusterName: string;
  }
}
