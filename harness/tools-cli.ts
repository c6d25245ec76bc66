// `tsx harness/tools-cli.ts ensure [--for test|e2e|kind|all]` resolves a tool set and prints where
// each tool is; `path <tool>` prints one path (for scripts); `crds` prints the CRD files.
import { formatDuration, log } from './progress.js';
import { TOOLS, TOOL_SETS, type ToolName } from './tool-manifest.js';
import { ensureTools, helmPluginsDir, resolveCrds, resolveTool } from './tools.js';

type ToolSetName = keyof typeof TOOL_SETS;

function usage(message?: string): never {
  if (message) process.stderr.write(`error: ${message}\n`);
  process.stderr.write('usage: tools-cli.ts ensure [--for test|e2e|kind|all] | path <tool> | crds\n');
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'ensure') {
    const forIndex = rest.indexOf('--for');
    const setName = (forIndex >= 0 ? rest[forIndex + 1] : 'all') as string;
    if (!(setName in TOOL_SETS)) usage(`unknown tool set "${setName}"; choose one of ${Object.keys(TOOL_SETS).join(', ')}`);
    const started = performance.now();
    const paths = await ensureTools(TOOL_SETS[setName as ToolSetName]);
    if (paths['helm-unittest']) await helmPluginsDir();
    const crds = setName === 'kind' ? [] : await resolveCrds();
    for (const [name, file] of Object.entries(paths)) log('tools', `${name.padEnd(24)} ${file}`);
    log('tools', `${crds.length} CRD manifests ready; tool set "${setName}" resolved in ${formatDuration(performance.now() - started)}`);
  } else if (command === 'path') {
    const name = rest[0];
    if (!name || !(name in TOOLS)) usage(`unknown tool "${name ?? ''}"; known: ${Object.keys(TOOLS).join(', ')}`);
    process.stdout.write(`${await resolveTool(name as ToolName)}\n`);
  } else if (command === 'crds') {
    process.stdout.write(`${(await resolveCrds()).join('\n')}\n`);
  } else {
    usage(command ? `unknown command "${command}"` : undefined);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
