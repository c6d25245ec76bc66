// Reading the proxy's counters: series matched by a subset of their labels, summed.
import { describe, expect, it } from 'vitest';
import { sumSamples } from '../prometheus.js';

const text = [
  '# HELP litellm_spend_metric_total Total spend on LLM requests',
  '# TYPE litellm_spend_metric_total counter',
  'litellm_spend_metric_total{model="fake-model",model_id="chat/1/a",user="u1"} 0.00045',
  'litellm_spend_metric_total{model="fake-model",model_id="chat/1/a",user="u2"} 0.0003',
  'litellm_spend_metric_total{model="fake-b",model_id="chat/2/b",user="u1"} 0.5',
  'litellm_spend_metric_created{model="fake-model",model_id="chat/1/a",user="u1"} 1.7e9',
  'litellm_requests_metric_total 7',
].join('\n');

describe('sumSamples', () => {
  it('sums the series whose labels include the given ones', () => {
    expect(sumSamples(text, 'litellm_spend_metric_total', { model_id: 'chat/1/a' })).toBeCloseTo(0.00075, 15);
    expect(sumSamples(text, 'litellm_spend_metric_total', { user: 'u1' })).toBeCloseTo(0.50045, 15);
    expect(sumSamples(text, 'litellm_spend_metric_total')).toBeCloseTo(0.50075, 15);
  });

  it('counts no other metric sharing the prefix, and nothing when no series matches', () => {
    expect(sumSamples(text, 'litellm_spend_metric_total', { model_id: 'chat/3/c' })).toBe(0);
    expect(sumSamples(text, 'litellm_spend_metric', { model_id: 'chat/1/a' })).toBe(0);
    expect(sumSamples(text, 'litellm_requests_metric_total')).toBe(7);
  });
});
