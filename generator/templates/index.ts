/** Every chart template, one module per component or feature. Adding a feature = adding a module here. */
import { authTemplates } from './auth/index.js';
import { autoscalingTemplates } from './autoscaling/index.js';
import { frontendTemplates } from './frontend/index.js';
import { gatewayTemplates } from './gateway/index.js';
import { helperTemplates } from './helpers/index.js';
import { ingressTemplates } from './ingress.js';
import { isolationTemplates } from './isolation/index.js';
import { istioTemplates } from './istio/index.js';
import { llmGatewayTemplates } from './llm-gateway/index.js';
import type { TemplateModule } from './lib/types.js';
import { monitoringTemplates } from './monitoring/index.js';
import { networkPolicyTemplates } from './networkpolicy/index.js';
import { nginxTemplates } from './nginx/index.js';
import { postgresqlTemplates } from './postgresql/index.js';
import { redisTemplates } from './redis/index.js';
import { releaseTemplates } from './release.js';
import { sandboxTemplates } from './sandbox/index.js';
import { testTemplates } from './tests/index.js';
import { validateTemplates } from './validate/index.js';
import { quotaTemplates } from './validate/quota.js';
import { workloadTemplates } from './workloads/index.js';

export function allTemplates(): TemplateModule[] {
  return [
    ...helperTemplates(),
    ...releaseTemplates,
    ...validateTemplates,
    ...quotaTemplates,
    ...authTemplates,
    ...gatewayTemplates,
    ...frontendTemplates,
    ...nginxTemplates,
    ...ingressTemplates,
    ...postgresqlTemplates,
    ...redisTemplates,
    ...sandboxTemplates,
    ...llmGatewayTemplates,
    ...workloadTemplates,
    ...autoscalingTemplates,
    ...isolationTemplates,
    ...networkPolicyTemplates,
    ...istioTemplates,
    ...monitoringTemplates,
    ...testTemplates,
  ];
}
