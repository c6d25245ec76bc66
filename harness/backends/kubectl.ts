// kubectl against a cluster's kubeconfig, for the backends (the e2e has its own typed access).
import { run } from '../exec.js';
import { resolveTool } from '../tools.js';

export async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const bin = await resolveTool('kubectl');
  return (await run(bin, ['--kubeconfig', kubeconfig, ...args], { input })).stdout;
}
