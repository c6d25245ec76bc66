// X-API-Key check. Keys are compared as SHA-256 digests with timingSafeEqual, against every
// configured key without early exit, so neither key length nor which key matched leaks through
// timing. Non-ASCII input is simply a mismatch (upstream crashed with a 500).

import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class ApiKeyChecker {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.filter((k) => k !== '').map(digest);
  }

  /** False when no key is configured (fail closed, as upstream). */
  check(presented: string | undefined): boolean {
    const d = digest(presented ?? '');
    let ok = false;
    for (const k of this.digests) ok = timingSafeEqual(d, k) || ok;
    return ok && presented !== undefined && presented !== '';
  }
}
