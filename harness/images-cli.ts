// `tsx harness/images-cli.ts build [name...]` builds local images (all by default) into cached OCI
// archives and prints each reference; `list` names the catalog.
import { IMAGES, type ImageName } from './images/catalog.js';
import { buildImage, imageReference } from './images/build.js';
import { log } from './progress.js';

async function main(argv: string[]): Promise<void> {
  const [command, ...names] = argv;
  const known = Object.keys(IMAGES) as ImageName[];
  if (command === 'list') {
    for (const name of known) process.stdout.write(`${name.padEnd(18)} ${IMAGES[name].description}\n`);
    return;
  }
  if (command !== 'build') throw new Error('usage: images-cli.ts build [name...] | list');
  const unknown = names.filter((name) => !known.includes(name as ImageName));
  if (unknown.length > 0) throw new Error(`unknown image(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  for (const name of (names.length > 0 ? names : known) as ImageName[]) {
    const image = await buildImage(name);
    log('images', `${imageReference(image)} (${(image.sizeBytes / 1048576).toFixed(1)} MiB)`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
