// The LLM gateway's image: the LiteLLM proxy from the hash-pinned install (harness/litellm, the
// same venv the host suite runs) on the shared Python 3.12 layer, shaped like the upstream
// `litellm-non_root` image the chart defaults to: ENTRYPOINT `litellm`, CMD `--port 4000`, user
// nobody (65534), so the chart's Deployment passes only its args. Everything it needs at run
// time is in the image and nothing is written to it: bytecode is compiled at build time, HOME is
// /tmp (the chart mounts an emptyDir there), and the bundled price list is used
// (LITELLM_LOCAL_MODEL_COST_MAP=True, also set by the chart).
import path from 'node:path';
import { INSTALL_STAMP, litellmEnvironment } from '../litellm/install.js';
import { OFFLINE_ENV } from '../litellm/proxy.js';
import { LITELLM_VERSION } from '../litellm/version.js';
import type { ImageRecipe } from './catalog.js';
import { unpackedPackage } from './debian.js';
import { PYTHON_IMAGE_ENV, interpreterHome, pythonRuntimeLayer, venvLayer } from './python.js';

const VENV = '/app/.venv';
/** LiteLLM's own default port (its image's CMD); the chart passes its Service port as `--port`. */
const DEFAULT_PORT = 4000;
const NOBODY = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' };

export const litellmRecipe: ImageRecipe = {
  name: 'litellm',
  description: `LiteLLM proxy ${LITELLM_VERSION} from the hash-pinned install (harness/litellm), non-root, for a read-only root filesystem`,
  hostPackages: [],
  // The pinned release and the lock it was installed from.
  tag: async () => `${LITELLM_VERSION}-${(await litellmEnvironment()).lockDigest}`,
  async inputs() {
    const env = await litellmEnvironment();
    return [(await unpackedPackage('busybox')).root, path.join(env.venv, INSTALL_STAMP), await interpreterHome(env.venv)];
  },
  async prepare(scratch) {
    const env = await litellmEnvironment();
    const pythonHome = await interpreterHome(env.venv);
    const runtime = await pythonRuntimeLayer(pythonHome);
    const proxy = await venvLayer({ hostVenv: env.venv, imageVenv: VENV, pythonHome, scratch, bytecode: true, exclude: (rel) => rel === INSTALL_STAMP });
    proxy.user(NOBODY);
    return {
      layers: [runtime, proxy],
      config: {
        entrypoint: [`${VENV}/bin/litellm`],
        cmd: ['--port', String(DEFAULT_PORT)],
        user: `${NOBODY.uid}:${NOBODY.gid}`,
        workingDir: '/app',
        env: [
          ...PYTHON_IMAGE_ENV,
          `PATH=${VENV}/bin:/usr/local/bin:/usr/bin:/usr/sbin`,
          'HOME=/tmp',
          // The bytecode is in the image; nothing is written next to the sources.
          'PYTHONDONTWRITEBYTECODE=1',
          ...Object.entries(OFFLINE_ENV).map(([k, v]) => `${k}=${v}`),
        ],
        exposedPorts: [DEFAULT_PORT],
      },
    };
  },
};
