/**
 * Value formats the API server, the kubelet or a registry enforce, as JSON Schema patterns, so the
 * schema refuses what would be rejected after `helm install` started. Patterns are written in the
 * subset ECMAScript (ajv) and Go RE2 (Helm's schema validator) share: no lookaround, no
 * backreferences. Render-time guards (`_validate.tpl`) cover what a pattern cannot say (requests ≤
 * limits, `except` ⊂ `cidr`, quota sums, floating tags without a digest).
 */
import type { JsonSchema } from './types.js';

const anchored = (body: string): string => `^(?:${body})$`;

// Quantities. Exa (E, Ei) is left out: such amounts overflow the guards' exact integer arithmetic
// in milli-units and no container asks for them. At most three decimals, for the same reason.
const DECIMAL = '[0-9]+(?:\\.[0-9]{1,3})?';

/** CPU: cores (`2`, `0.5`) or millicores (`500m`); a binary or SI byte suffix (`1.5Gi`, `1G`) is refused. */
export const cpuQuantity = anchored(`${DECIMAL}|[0-9]+m`);

/** Memory and storage: bytes with an optional SI or binary suffix; millibytes (`512m`) are refused. */
export const byteQuantity = anchored(`${DECIMAL}(?:k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?`);

/** A quantity leaf or map value: the string forms above, or a plain YAML number (bytes must be whole). */
export const cpuSchema: JsonSchema = { type: ['string', 'number'], pattern: cpuQuantity, minimum: 0 };
export const bytesSchema: JsonSchema = { type: ['string', 'integer'], pattern: byteQuantity, minimum: 0 };

// Addresses.
const OCTET = '25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]';
const IPV4 = `(?:(?:${OCTET})\\.){3}(?:${OCTET})`;
const H = '[0-9a-fA-F]{1,4}';
/** IPv6 in hexadecimal notation (full or `::`-compressed; no embedded IPv4). */
const IPV6 = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,7}:`,
  `(?:${H}:){1,6}:${H}`,
  `(?:${H}:){1,5}(?::${H}){1,2}`,
  `(?:${H}:){1,4}(?::${H}){1,3}`,
  `(?:${H}:){1,3}(?::${H}){1,4}`,
  `(?:${H}:){1,2}(?::${H}){1,5}`,
  `${H}:(?::${H}){1,6}`,
  `:(?:(?::${H}){1,7}|:)`,
].map((p) => `(?:${p})`).join('|');
const V4_PREFIX = '3[0-2]|[12]?[0-9]';
const V6_PREFIX = '12[0-8]|1[01][0-9]|[1-9]?[0-9]';

/** An IPv4 or IPv6 CIDR with a prefix in range (`10.0.0.0/8`, `fd00::/8`). */
export const cidr = anchored(`(?:${IPV4})/(?:${V4_PREFIX})|(?:${IPV6})/(?:${V6_PREFIX})`);
/** An IPv4/IPv6 address or CIDR (nginx `set_real_ip_from`, DeerFlow's trusted proxies). */
export const ipOrCidr = anchored(`(?:${IPV4})(?:/(?:${V4_PREFIX}))?|(?:${IPV6})(?:/(?:${V6_PREFIX}))?`);

export const cidrSchema: JsonSchema = { type: 'string', pattern: cidr };

/** A NetworkPolicy `ipBlock` (`except` ⊂ `cidr` is a render-time guard). */
export const ipBlockSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['cidr'],
  properties: { cidr: cidrSchema, except: { type: 'array', items: cidrSchema } },
};

// Labels and annotations (apimachinery validation: qualified names, label values).
const DNS_LABEL = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const DNS_SUBDOMAIN = `${DNS_LABEL}(?:\\.${DNS_LABEL})*`;
const NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';

/**
 * A qualified name: `[prefix/]name`, prefix a DNS subdomain, name at most 63 characters. The
 * prefix's 253-character bound is a render-time guard (`deerflow.labels.checkKeys`): a length
 * bound cannot be combined with the structure in one RE2 pattern, and `propertyNames` errors name
 * the wrong field in Helm's validator.
 */
export const qualifiedName = anchored(`(?:${DNS_SUBDOMAIN}/)?${NAME}`);

/** A label value: empty, or at most 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric. */
export const labelValue: JsonSchema = { type: 'string', pattern: anchored(`(?:${NAME})?`) };

/** Labels (and selectors): qualified-name keys, label values. An invalid key is reported as an additional property. */
export const labelMap: JsonSchema = { type: 'object', patternProperties: { [qualifiedName]: labelValue }, additionalProperties: false };

/**
 * Annotations: qualified-name keys, any string value; the API server caps all of an object's
 * annotations at 256 KiB together, so one value cannot be longer.
 */
export const annotationMap: JsonSchema = { type: 'object', patternProperties: { [qualifiedName]: { type: 'string', maxLength: 262144 } }, additionalProperties: false };

// Images.
/** A registry host, optionally with a port: no scheme, no path (`registry.example.com:5000`). */
export const registryHost = anchored(`(?:${DNS_SUBDOMAIN}(?::[0-9]{1,5})?)?`);
const REPO = '[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*';
/** An image tag. Whether it is pinned is the image policy's question (`deerflow.images.pinned`). */
export const tag = anchored('[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}');
/** A full image reference with a required tag: `[host[:port]/]repo:tag[@sha256:...]`, or empty. */
export const imageReference = anchored(`(?:(?:${DNS_SUBDOMAIN}(?::[0-9]{1,5})?)/)?${REPO}:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(?:@sha256:[a-f0-9]{64})?|`);
