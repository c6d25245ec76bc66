// DeerFlow's web UI image, shaped like its frontend/Dockerfile's `prod` stage without a registry:
// the Node runtime our other images carry (upstream's base is node:22-alpine; the frontend was
// built on this same runtime, harness/deerflow/frontend.ts), pnpm at the pinned version on PATH,
// the whole built frontend tree at /app/frontend (`COPY --from=builder /app/frontend`), and its
// CMD `cd /app/frontend && pnpm start` (frontend/Dockerfile:54-66). `.next/cache` is left out:
// the chart mounts a writable volume there. Like upstream it sets no USER (the chart runs it as 1000).
import path from 'node:path';
import { DEERFLOW_COMMIT, DEERFLOW_VERSION } from '../deerflow/source.js';
import { PNPM_VERSION, deerflowFrontend } from '../deerflow/frontend.js';
import type { ImageRecipe } from './catalog.js';
import { unpackedPackage } from './debian.js';
import { nodeLayer, nodeRuntime } from './node-runtime.js';
import { Rootfs } from './rootfs.js';

const PNPM_HOME = '/usr/local/lib/pnpm';
/** Left out of the image: the build's cache (a volume in the Pod) and what only the build used. */
const FRONTEND_EXCLUDE = /^(\.next\/cache|\.antler-built)(\/|$)/;

export const deerflowFrontendRecipe: ImageRecipe = {
  name: 'deerflow-frontend',
  description: `DeerFlow ${DEERFLOW_VERSION} web UI (Next.js) from the pinned source (${DEERFLOW_COMMIT.slice(0, 9)}), built with pnpm ${PNPM_VERSION} like its frontend/Dockerfile`,
  hostPackages: [],
  tag: async () => `${DEERFLOW_VERSION}-${DEERFLOW_COMMIT.slice(0, 9)}`,
  async inputs() {
    const build = await deerflowFrontend();
    return [(await unpackedPackage('busybox')).root, await nodeRuntime(), build.stamp, path.dirname(path.dirname(build.pnpm))];
  },
  async prepare() {
    const build = await deerflowFrontend();
    const pnpm = new Rootfs()
      .add({ kind: 'tree', from: path.dirname(path.dirname(build.pnpm)), to: PNPM_HOME })
      .content('/usr/local/bin/pnpm', `#!/bin/sh\nexec /usr/local/bin/node ${PNPM_HOME}/bin/pnpm.cjs "$@"\n`, 0o755)
      // node:22-alpine's user 1000, which the chart's securityContext runs as.
      .user({ name: 'node', uid: 1000, gid: 1000, home: '/home/node' })
      .add({ kind: 'dir', to: '/home/node', uid: 1000, gid: 1000 });
    const app = new Rootfs().add({ kind: 'tree', from: build.dir, to: '/app/frontend', exclude: (rel) => FRONTEND_EXCLUDE.test(rel) });
    return {
      layers: [await nodeLayer(), pnpm, app],
      config: {
        cmd: ['sh', '-c', 'cd /app/frontend && pnpm start'],
        workingDir: '/app',
        env: ['PATH=/usr/local/bin:/usr/bin:/usr/sbin', 'NODE_ENV=production'],
        exposedPorts: [3000],
      },
    };
  },
};
