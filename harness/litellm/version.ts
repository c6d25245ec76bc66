// The one pin of the LiteLLM proxy (issue 11), shared by the host install (install.ts), the image
// recipe and the chart's image guard (generator/model/llm-gateway.ts). 1.108.7 is on the 1.108 LTS
// line and postdates the 2026 compromises; those releases are refused by name wherever a version
// or an image tag is taken, so a copy-pasted tag cannot bring one back.

export const LITELLM_VERSION = '1.108.7';

/** Releases known to be compromised: never installed, never rendered. */
export const COMPROMISED_LITELLM_VERSIONS: readonly string[] = ['1.107.0', '1.82.7', '1.82.8'];

/** The dotted version a tag or requirement names (`v1.82.7-stable` → `1.82.7`), if any. */
export function versionIn(text: string): string | undefined {
  return /(?:^|[^0-9.])([0-9]+\.[0-9]+\.[0-9]+)(?![0-9])/.exec(text)?.[1];
}

/**
 * Throws unless `version` is exactly the pinned release: a compromised release is named as such,
 * anything else (a floating spec, another version) as unpinned.
 */
export function assertPinnedLitellm(version: string, where: string): void {
  const named = versionIn(version);
  if (named !== undefined && COMPROMISED_LITELLM_VERSIONS.includes(named)) {
    throw new Error(`${where}: litellm ${named} is a compromised release (refused: ${COMPROMISED_LITELLM_VERSIONS.join(', ')}); use ${LITELLM_VERSION}`);
  }
  if (version !== LITELLM_VERSION) {
    throw new Error(`${where}: litellm must be pinned to exactly ${LITELLM_VERSION} (got ${JSON.stringify(version)}); floating or other versions are refused`);
  }
}
