// The Node flags the agent runs with, wherever it runs compiled: the image's ENTRYPOINT
// (sandbox-agent/Dockerfile, checked against this by sandbox-agent/test/node-flags.test.ts), the
// harness's real-node image (harness/images/catalog.ts) and the benchmarks' host processes
// (harness/agent-process.ts), so what is measured is what ships.
//
// `--max-semi-space-size=4` (MiB): V8's young generation on 64-bit defaults to 16 MiB per
// semi-space (three of them reserved), most of which the agent's short-lived request garbage
// fills before each scavenge; 4 MiB keeps the heap's resident size down (README "Bench results":
// peak RSS 124 MiB against 150–159 MiB before, CPU per acquire no worse relative to upstream;
// 106 MiB since the agent runs as one bundle).
// No `--enable-source-maps`: the bundle's map covers every dependency it holds and would stay in
// memory; stack traces name functions as written and dist/agent.mjs positions, and NODE_OPTIONS=
// --enable-source-maps (the chart's extraEnv) maps them to the sources when needed.
export const AGENT_NODE_ARGS: readonly string[] = ['--max-semi-space-size=4'];

/** The bundle (sandbox-agent/build.ts), relative to sandbox-agent/ and to the image's working directory. */
export const AGENT_IMAGE_ENTRY = 'dist/agent.mjs';
