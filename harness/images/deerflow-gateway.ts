// The DeerFlow gateway image, built from the pinned source the way DeerFlow's backend/Dockerfile
// builds its runtime stage (Python 3.12, the backend tree with a `uv sync`ed .venv at
// /app/backend/.venv, uv on PATH, its CMD), without a registry: the interpreter is the host's
// pyenv 3.12 relocated to /usr/local, the venv is the one `uv sync --frozen` made from DeerFlow's
// lock, re-pointed at that interpreter (python.ts). Like upstream it carries no /app/skills and no USER.
import path from 'node:path';
import { DEERFLOW_COMMIT, DEERFLOW_VERSION } from '../deerflow/source.js';
import { deerflowEnvironment } from '../deerflow/python.js';
import type { ImageRecipe } from './catalog.js';
import { Rootfs } from './rootfs.js';
import { unpackedPackage } from './debian.js';
import { PYTHON_IMAGE_ENV, interpreterHome, pythonRuntimeLayer, venvLayer } from './python.js';

const BACKEND_EXCLUDE = /^(\.venv|tests|docs|\.pytest_cache|\.ruff_cache)(\/|$)|(^|\/)__pycache__(\/|$)/;

export const deerflowGatewayRecipe: ImageRecipe = {
  name: 'deerflow-gateway',
  description: `DeerFlow ${DEERFLOW_VERSION} gateway from the pinned source (${DEERFLOW_COMMIT.slice(0, 9)}), built like its backend/Dockerfile`,
  hostPackages: [],
  tag: async () => `${DEERFLOW_VERSION}-${DEERFLOW_COMMIT.slice(0, 9)}`,
  async inputs() {
    const env = await deerflowEnvironment();
    return [(await unpackedPackage('busybox')).root, path.join(env.venv, '.antler-synced'), path.join(env.backend, 'app'), path.join(env.backend, 'packages'), env.uv, await interpreterHome(env.venv)];
  },
  async prepare(scratch) {
    const env = await deerflowEnvironment();
    const pythonHome = await interpreterHome(env.venv);
    // Layer 1: the interpreter at /usr/local (shared with the other Python images).
    const runtime = await pythonRuntimeLayer(pythonHome);
    // Layer 2: the locked dependencies (the big, rarely changing part), and uv.
    const deps = await venvLayer({ hostVenv: env.venv, imageVenv: '/app/backend/.venv', pythonHome, scratch });
    deps.add({ kind: 'file', from: env.uv, to: '/usr/local/bin/uv', mode: 0o755 });
    // Layer 3: the backend's source (what `COPY backend ./backend` brings, minus tests and caches).
    const app = new Rootfs().add({ kind: 'tree', from: env.backend, to: '/app/backend', exclude: (rel) => BACKEND_EXCLUDE.test(rel) });
    return {
      layers: [runtime, deps, app],
      config: {
        // backend/Dockerfile's runtime CMD, as the image ships it.
        cmd: ['sh', '-c', 'cd backend && PYTHONPATH=. uv run --no-sync uvicorn app.gateway.app:app --host 0.0.0.0 --port 8001'],
        workingDir: '/app',
        env: [...PYTHON_IMAGE_ENV, 'PATH=/app/backend/.venv/bin:/usr/local/bin:/usr/bin:/usr/sbin'],
        exposedPorts: [8001],
      },
    };
  },
};
