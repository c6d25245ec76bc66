// The LLM gateway's own behaviour on the release's real Pods (issue 11): the chart's Deployment of
// the pinned LiteLLM image, two replicas on the real node sharing the release's Redis, in front of
// two fake OpenAI-compatible providers on the node's address (they stand in for the LLM providers
// outside the machine). The checks are the ones the host suite runs (litellm/checks.ts); every
// figure they compare with (order, breaker threshold and reset, timeout, retries, rpm, prices) is
// read from the config.yaml the release rendered. Each replica is reached through its own
// port-forward, so "the second replica honours the open breaker" is about two processes.
import type { FakeLlmProvider } from '../../fakes/llm-provider.js';
import { checkBreaker, checkCache, checkCost, checkRateLimit, checkStall, checkStreaming, type GatewayUnderTest } from '../../litellm/checks.js';
import { type E2eContext, assert, realNodeOrSkip } from '../context.js';
import { connectLlmGateway, gatewayUnderTest, type LlmGateway } from '../llm-gateway.js';
import { E2E_GATEWAY } from '../real-node.js';

export interface GatewayFakes {
  primary: FakeLlmProvider;
  fallback: FakeLlmProvider;
}

export async function llmGatewaySuite(ctx: E2eContext, given: GatewayFakes | undefined): Promise<void> {
  const { report } = ctx;
  const ready = await realNodeOrSkip(ctx, given, 'the LLM gateway on real Pods', 'the LiteLLM proxy cannot run in a kwok Pod');
  if (!ready) return;
  const fakes = ready.inputs;
  let gateway: LlmGateway | undefined;
  let g: GatewayUnderTest | undefined;
  const target = () => {
    assert(g, 'the gateway was not reached (see the first check of this suite)');
    return g;
  };
  try {
    await report.check(`both replicas answer, with the failover group ${E2E_GATEWAY.group} and the settings the release rendered`, async () => {
      gateway = await connectLlmGateway(ctx);
      g = gatewayUnderTest(gateway, E2E_GATEWAY.group, E2E_GATEWAY.limitedGroup, { [E2E_GATEWAY.primary]: fakes.primary, [E2E_GATEWAY.fallback]: fakes.fallback });
      return { pods: gateway.replicas.map((r) => r.pod), primary: g.primary.id, fallback: g.fallback.id, openAfterFailures: g.openAfterFailures, resetSeconds: g.resetSeconds, timeoutSeconds: g.timeoutSeconds, rpm: g.limited.rpm };
    }, (value) => value);
    await report.check('streams through the gateway Pod (SSE), with the usage chunk', async () => checkStreaming(target()), (chunks) => ({ chunks }));
    await report.check('cost per model = tokens x price, in the response header and the Prometheus spend metric', async () => checkCost(target()), (value) => value);
    await report.check('429 once a deployment\'s rpm is used up, counted in Redis across both replicas', async () => checkRateLimit(target()), (statuses) => ({ statuses }));
    await report.check('fails over on 5xx; the breaker opens on the configured failure, the second replica honours it, it closes after the reset time', async () => checkBreaker(target()), (value) => value);
    await report.check('a stalled provider costs one timeout, not timeout x retries, then the next order level answers', async () => checkStall(target(), 1), (value) => value);
    await report.check('the cache (on in this release) answers with both providers down, and only what it answered before', async () => {
      await checkCache(target(), target().replicas[0]);
    });
  } finally {
    await gateway?.stop();
  }
}
