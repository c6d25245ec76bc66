/**
 * Values leaves for the sandbox agent's settings, built from the agent's own environment table
 * (`sandbox-agent/src/env.ts`): type, bounds and default come from there, so the chart's schema
 * cannot drift from what the agent accepts. A chart default that differs from the agent's is
 * declared (with its reason) in that table, not here.
 */
import { AGENT_ENV, type AgentEnvName, type EnvSpec, valueSchema } from '../../sandbox-agent/src/env.js';
import { imageReference } from './formats.js';
import * as k8s from './k8s.js';
import type { JsonSchema, Leaf } from './types.js';

/** The table entry for a variable the chart renders from a values path. */
export function boundSpec(name: AgentEnvName): { spec: EnvSpec; values: string; chartDefault: unknown } {
  const spec: EnvSpec = AGENT_ENV[name];
  const b = spec.chart;
  if (b === undefined || !('values' in b)) throw new Error(`${name}: the agent env table binds it to no values path`);
  const chartDefault: unknown = b.default !== undefined ? b.default : spec.default;
  if (chartDefault === undefined) throw new Error(`${name}: the agent has no default, so the env table must give the chart one`);
  return { spec, values: b.values, chartDefault };
}

/** The leaf's description: the table's, the variable, and the chart's reason where it differs. */
function describe(name: AgentEnvName, spec: EnvSpec): string {
  const b = spec.chart !== undefined && 'values' in spec.chart ? spec.chart : undefined;
  const parts = [spec.description, `Sets \`${name}\`.`];
  if (b?.note !== undefined) parts.push(b.note);
  if (b?.why !== undefined) parts.push(`Chart default differs from the agent's (\`${JSON.stringify(spec.default)}\`): ${b.why}`);
  return parts.join(' ');
}

function policyOf(spec: EnvSpec): JsonSchema | undefined {
  return spec.chart !== undefined && 'values' in spec.chart ? spec.chart.policy : undefined;
}

/**
 * Chart-only schema on agent settings beyond what the agent itself accepts: the Kubernetes rules
 * for label and annotation maps, the chart's image-reference rule for the Lark images, and the
 * API server's quantity formats (generator/model/formats.ts, k8s.ts). Merged over the table's
 * schema and its own `policy` (a key here wins).
 */
export const CHART_POLICIES: Partial<Record<AgentEnvName, JsonSchema>> = {
  SANDBOX_AGENT_POD_RESOURCES: k8s.resources,
  SANDBOX_AGENT_POD_NODE_SELECTOR: k8s.labels,
  SANDBOX_AGENT_POD_LABELS: k8s.labels,
  SANDBOX_AGENT_POD_ANNOTATIONS: k8s.annotations,
  LARK_CLI_INIT_IMAGE: { pattern: imageReference },
  LARK_CLI_BROKER_IMAGE: { pattern: imageReference },
};

/** The values leaf for an agent setting, at the path the table binds it to. */
export function agentSetting(name: AgentEnvName): Leaf {
  const { spec, values, chartDefault } = boundSpec(name);
  const description = describe(name, spec);
  const policies = [policyOf(spec), CHART_POLICIES[name]].filter((p): p is JsonSchema => p !== undefined);
  const policy = policies.length === 0 ? undefined : Object.assign({}, ...policies) as JsonSchema;
  const extra = policy === undefined ? {} : { schema: policy };
  const wrong = (): Error => new Error(`${name} (${values}): chart default ${JSON.stringify(chartDefault)} does not fit a ${spec.kind} setting`);
  switch (spec.kind) {
    case 'string': {
      if (typeof chartDefault !== 'string') throw wrong();
      return {
        kind: 'string', default: chartDefault, description, ...extra,
        ...(spec.enum ? { enum: spec.enum } : {}),
        ...(spec.pattern !== undefined ? { pattern: spec.pattern } : {}),
        ...(spec.minLength !== undefined ? { minLength: spec.minLength } : {}),
        ...(spec.maxLength !== undefined ? { maxLength: spec.maxLength } : {}),
      };
    }
    case 'integer':
      if (typeof chartDefault !== 'number') throw wrong();
      return { kind: 'integer', default: chartDefault, description, minimum: spec.minimum, maximum: spec.maximum, ...extra };
    case 'number':
      if (typeof chartDefault !== 'number') throw wrong();
      return {
        kind: 'number', default: chartDefault, description, maximum: spec.maximum, ...extra,
        ...(spec.minimum !== undefined ? { minimum: spec.minimum } : {}),
        ...(spec.exclusiveMinimum !== undefined ? { exclusiveMinimum: spec.exclusiveMinimum } : {}),
      };
    case 'boolean':
      if (typeof chartDefault !== 'boolean') throw wrong();
      return { kind: 'boolean', default: chartDefault, description, ...extra };
    case 'json': {
      const schema = valueSchema(spec);
      if (Array.isArray(chartDefault)) {
        const { type: _type, items, ...rest } = schema;
        return { kind: 'array', default: chartDefault, description, items: items as JsonSchema, schema: { ...rest, ...policy } };
      }
      if (typeof chartDefault !== 'object' || chartDefault === null) throw wrong();
      const { type: _type, ...rest } = schema;
      return { kind: 'object', default: chartDefault as Record<string, unknown>, description, schema: { ...rest, ...policy } };
    }
    case 'list':
      throw new Error(`${name}: list settings are rendered from Secrets, not values`);
  }
}
