// The side-by-side rows of `kemu trace --from pod/NAME URL`, from a model trace and a real answer.
import { describe, expect, it } from 'vitest';
import { agreement, realSteps } from './trace-live-format.js';
import type { ModelTrace } from './trace-live-model.js';

describe('realSteps', () => {
  it('puts an egress denial on the egress row (the source agent refused: "isolated for Egress")', () => {
    const rows = realSteps({
      status: 403,
      statusMessage: 'Forbidden',
      hops: ['service 10.96.0.10:80 -> 10.244.2.2:8080'],
      refusal: 'shop/client is isolated for Egress by shop/deny-out and no egress rule allows to shop/web on TCP/8080',
    });
    expect(rows.egress[0]).toMatch(/^DENIED: shop\/client is isolated for Egress/);
    expect(rows.ingress).toEqual([]);
    expect(rows.service).toEqual(['service 10.96.0.10:80 -> 10.244.2.2:8080']);
  });

  it('names a non-policy refusal (no endpoint, no listener) on the destination row', () => {
    const rows = realSteps({
      status: 502,
      statusMessage: 'Bad Gateway',
      hops: ['bridge'],
      refusal: 'pod shop/web does not listen on TCP 81',
    });
    expect(rows.destination).toEqual(['502 Bad Gateway from the pod network: pod shop/web does not listen on TCP 81']);
    expect(rows.path).toEqual(['bridge: same node, never crosses a tunnel']);
  });
});

describe('agreement', () => {
  it('says when the model delivers and the real request was refused', () => {
    const model = { packet: { delivered: true, hops: [], verdict: {} } } as unknown as ModelTrace;
    expect(agreement(model, { status: 403, statusMessage: 'Forbidden', hops: [], refusal: 'x' })).toMatch(
      /^model and real DIFFER/,
    );
  });
});
