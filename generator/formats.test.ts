/** The value formats of model/formats.ts, checked with ajv (the same patterns run in Helm's RE2 through bad-values.test.ts). */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { annotationMap, byteQuantity, cidr, cpuQuantity, imageReference, ipOrCidr, labelMap, registryHost, tag } from './model/formats.js';
import type { JsonSchema } from './model/types.js';

const ajv = new Ajv({ strict: false });
const matches = (pattern: string, value: string): boolean => new RegExp(pattern).test(value);
const valid = (schema: JsonSchema, value: unknown): boolean => ajv.validate(schema, value);

describe.each([
  ['cpu quantity', cpuQuantity, ['500m', '2', '0.5', '1.125', '16'], ['1.5Gi', '1G', '2k', '0.5m', '1e3', '-1', '1.2345', '']],
  ['byte quantity', byteQuantity, ['512Mi', '1Gi', '1.5Gi', '1073741824', '20M', '100k'], ['512m', '1Ei', '1e9', '1.5gi', 'lots', '1.2345Gi', '']],
  ['CIDR', cidr, ['10.0.0.0/8', '0.0.0.0/0', '169.254.169.254/32', '::/0', 'fd00::/8', '2001:db8::/32', 'fe80::1/128'], ['10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', '10.0.0.0', '::/129', 'fd00:::/8', '010.0.0.0/8', 'fd00::1.2.3.4/128']],
  ['IP or CIDR', ipOrCidr, ['10.0.0.1', '10.0.0.0/8', '::1', '2001:db8::/32'], ['10.0.0.256', '10.0.0.0/40', 'example.com']],
  ['registry host', registryHost, ['', 'ghcr.io', 'registry:5000', 'registry.example.com:5000', 'localhost'], ['https://ghcr.io', 'ghcr.io/mirror', 'Registry.io', 'ghcr.io:', 'a..b']],
  ['tag', tag, ['v2.1.0', 'latest', '16.10-alpine', '_x'], ['', '-x', 'a b', 'x'.repeat(129)]],
  ['image reference', imageReference, ['', 'lark:1.2.0', 'registry:5000/lark/cli:1.2.0', 'example.com/lark-init:v1@sha256:' + 'a'.repeat(64)], ['lark', 'registry:5000/lark', 'https://x/lark:1', 'lark:1.0@sha256:xyz', 'Lark:1.0']],
] as const)('%s', (_name, pattern, good, bad) => {
  it.each(good)('accepts %j', (v) => expect(matches(pattern, v)).toBe(true));
  it.each(bad)('refuses %j', (v) => expect(matches(pattern, v)).toBe(false));
});

describe('labels and annotations', () => {
  it.each([
    [{ team: 'a' }, true],
    [{ 'antler.dev/tenant': 'acme' }, true],
    [{ 'app.kubernetes.io/name': 'x' }, true],
    [{ team: '' }, true],
    [{ team: 'a b' }, false],
    [{ team: '-a' }, false],
    [{ team: 'a'.repeat(64) }, false],
    [{ 'Bad_Prefix/x': 'a' }, false],
    [{ 'a/b/c': 'x' }, false],
    [{ ['x'.repeat(64)]: 'a' }, false],
    [{ [`${'a'.repeat(254)}/x`]: 'a' }, false],
    [{ [`${'a.'.repeat(100)}a/x`]: 'a' }, true],
  ])('labels %j valid: %s', (value, ok) => expect(valid(labelMap, value)).toBe(ok));

  it.each([
    [{ 'example.com/note': 'any text, spaces: fine' }, true],
    [{ 'bad key': 'x' }, false],
    [{ note: 'x'.repeat(262145) }, false],
  ])('annotations %j valid: %s', (value, ok) => expect(valid(annotationMap, value)).toBe(ok));
});
