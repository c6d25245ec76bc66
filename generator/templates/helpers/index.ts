/**
 * Named helpers (`_*.tpl`), one file per concern. They are static Go-template text kept next to
 * this module; the generator copies them into chart/templates with the generated-file header.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateModule } from '../lib/types.js';
import { header } from '../lib/text.js';

const here = dirname(fileURLToPath(import.meta.url));

export function helperTemplates(): TemplateModule[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.tpl'))
    .sort()
    .map((file) => ({
      path: file,
      source: `generator/templates/helpers/${file}`,
      render: () => `${header(`generator/templates/helpers/${file}`)}\n${readFileSync(join(here, file), 'utf8')}`,
    }));
}
