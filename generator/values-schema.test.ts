/** Every file under values/ validates against the generated schema (merged over the defaults, as Helm does). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { model } from './model/index.js';
import { defaults } from './model/types.js';
import { CHART_DIR, VALUES_DIR } from './test-tools.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isMap(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's coalescing: maps merge recursively, everything else replaces. */
function merge(base: Json, overlay: Json): Json {
  if (!isMap(base) || !isMap(overlay)) return overlay;
  const out: { [key: string]: Json } = { ...base };
  for (const [k, v] of Object.entries(overlay)) out[k] = k in out ? merge(out[k] as Json, v) : v;
  return out;
}

const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as object;
const AjvCtor = Ajv as unknown as typeof Ajv.default;
const ajv = new AjvCtor({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const chartDefaults = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Json;

const files = ['profiles', 'tenants'].flatMap((dir) =>
  readdirSync(join(VALUES_DIR, dir)).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`),
);

describe('values/ against values.schema.json', () => {
  it('values.yaml equals the model defaults and is valid', () => {
    expect(chartDefaults).toEqual(defaults(model));
    expect(validate(chartDefaults), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(files)('%s is valid', (file) => {
    const overlay = parse(readFileSync(join(VALUES_DIR, file), 'utf8')) as Json;
    const merged = file.startsWith('tenants/')
      ? merge(merge(chartDefaults, parse(readFileSync(join(VALUES_DIR, 'profiles', 'production.yaml'), 'utf8')) as Json), overlay)
      : merge(chartDefaults, overlay);
    expect(validate(merged), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('the schema is strict: an unknown key, a registry with a scheme and a CPU with a byte suffix are rejected', () => {
    const bad = merge(chartDefaults, { gateway: { replicas: 2, image: { registry: 'https://ghcr.io' }, resources: { limits: { cpu: '1.5Gi' } } } });
    expect(validate(bad)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
    expect(paths).toContain('/gateway must NOT have additional properties');
    expect(paths.some((p) => p.startsWith('/gateway/image/registry must match pattern'))).toBe(true);
    expect(paths.some((p) => p.startsWith('/gateway/resources/limits/cpu must match pattern'))).toBe(true);
  });

  it('has the three profiles and three tenants', () => {
    expect(files).toEqual(expect.arrayContaining(['profiles/local.yaml', 'profiles/kind.yaml', 'profiles/production.yaml', 'tenants/acme.yaml', 'tenants/globex.yaml', 'tenants/initech.yaml']));
  });
});
