// The LiteLLM pin: the committed lock is hash-pinned to exactly 1.108.7, and compromised or
// floating versions are refused with an error that names them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCK, checkLock } from './install.js';
import { COMPROMISED_LITELLM_VERSIONS, LITELLM_VERSION, assertPinnedLitellm, versionIn } from './version.js';

const HASH = `--hash=sha256:${'a'.repeat(64)}`;

describe('LiteLLM pin', () => {
  it('the committed lock pins litellm 1.108.7 and hashes every requirement', () => {
    const lock = readFileSync(LOCK, 'utf8');
    expect(() => checkLock(lock)).not.toThrow();
    expect(lock).toMatch(/^litellm==1\.108\.7 \\$/m);
    expect(lock).toMatch(/^prometheus-client==/m);
  });

  it.each(COMPROMISED_LITELLM_VERSIONS)('refuses the compromised %s by name', (bad) => {
    expect(() => assertPinnedLitellm(bad, 'x')).toThrow(`litellm ${bad} is a compromised release`);
    expect(() => checkLock(`litellm==${bad} \\\n    ${HASH}\n`, 'lock')).toThrow(/compromised/);
  });

  it.each(['1.108.6', 'latest', 'main-stable', '>=1.108', ''])('refuses the unpinned %j', (bad) => {
    expect(() => assertPinnedLitellm(bad, 'x')).toThrow(`pinned to exactly ${LITELLM_VERSION}`);
  });

  it('refuses a lock line without a hash or without ==', () => {
    expect(() => checkLock(`litellm==${LITELLM_VERSION}\n`, 'lock')).toThrow('litellm==1.108.7 has no --hash');
    expect(() => checkLock(`litellm>=1.0 \\\n    ${HASH}\n`, 'lock')).toThrow('is not pinned with ==');
    expect(() => checkLock(`requests==2.0 \\\n    ${HASH}\n`, 'lock')).toThrow('no litellm requirement');
  });

  it('finds the version inside image-style tags', () => {
    expect(versionIn('main-v1.82.7-stable')).toBe('1.82.7');
    expect(versionIn('v1.108.7')).toBe('1.108.7');
    expect(versionIn('main-stable')).toBeUndefined();
  });
});
