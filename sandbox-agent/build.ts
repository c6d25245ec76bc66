// The agent's one build: src/main.ts and the dependencies it imports, bundled by esbuild into
// dist/agent.mjs (with a source map beside it), which the image runs (sandbox-agent/Dockerfile,
// harness/images/catalog.ts) and the benchmarks run as host processes (harness/agent-process.ts).
//
// Why a bundle: importing @kubernetes/client-node loads ~2,700 modules (every API class and every
// model's serializer, because KubeConfig imports the generated index), 64 MiB of RSS before the
// agent does anything. Bundled, only what the agent reaches is kept and module loading costs no
// per-file overhead: RSS at start 67 MiB against 108 MiB unbundled (README "Bench results").
// Type checking is separate (tsconfig.build.json, `make typecheck`): esbuild only strips types.
//
// `node sandbox-agent/build.ts` is not possible (TypeScript); `npm run build -w sandbox-agent`
// runs it under tsx.
import { buildSync } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_IMAGE_ENTRY } from './node-flags.js';

const AGENT_DIR = path.dirname(fileURLToPath(import.meta.url));
/** What ships, relative to sandbox-agent/ and to the image's working directory: the bundle, its map, the licences. */
export const AGENT_BUNDLE_FILES: readonly string[] = [AGENT_IMAGE_ENTRY, `${AGENT_IMAGE_ENTRY}.map`, `${AGENT_IMAGE_ENTRY}.LEGAL.txt`];
/** The inputs that decide the bundle (the image recipe's cache key). */
export const AGENT_BUILD_INPUTS: readonly string[] = ['src', 'build.ts', 'node-flags.ts', 'package.json'].map((p) => path.join(AGENT_DIR, p));

/** Bundles the agent into sandbox-agent/dist/ (AGENT_BUNDLE_FILES); returns the bundle's absolute path. Throws on any esbuild error. */
export function buildAgentBundle(): string {
  const outfile = path.join(AGENT_DIR, AGENT_IMAGE_ENTRY);
  buildSync({
    entryPoints: [path.join(AGENT_DIR, 'src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // CommonJS dependencies call require() for Node built-ins; an ES module has none of its own.
    banner: { js: "import { createRequire as __antlerRequire } from 'node:module'; const require = __antlerRequire(import.meta.url);" },
    sourcemap: 'linked',
    sourcesContent: false,
    // Whitespace and comments out, syntax compacted: V8 keeps the whole source text in memory for
    // lazy compilation, as a two-byte string if a single comment has a non-Latin-1 character (the
    // readable bundle held 8 MB that way). Identifiers and names stay as written: they appear in
    // errors, logs and profiles; the map turns positions back into source lines.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = buildAgentBundle();
  console.log(`[sandbox-agent] bundled ${path.relative(process.cwd(), out)}`);
}
