import { decideSweep, OrderLookup } from './sweep-decision';

describe('decideSweep: what to do with an order’s expired locks', () => {
  it.each<[string, OrderLookup, string, boolean]>([
    ['no such order', { kind: 'failed', code: 'ORDER.NOT_FOUND' }, 'release', false],
    ['cancelled', { kind: 'found', status: 'CANCELLED' }, 'release', false],
    ['paid', { kind: 'found', status: 'PAID' }, 'deduct', false],
    ['unpaid', { kind: 'found', status: 'UNPAID' }, 'leave', false],
    ['order service down', { kind: 'failed', code: 'UPSTREAM.UNAVAILABLE' }, 'leave', true],
    ['unknown route (a 404 that is not about the order)', { kind: 'failed', code: 'ROUTE.NOT_FOUND' }, 'leave', true],
    ['refused our token', { kind: 'failed', code: 'AUTH.UNAUTHENTICATED' }, 'leave', true],
    ['an unexpected status', { kind: 'found', status: 'SHIPPED' }, 'leave', true],
    ['a status in the wrong case', { kind: 'found', status: 'paid' }, 'leave', true],
    ['an empty status', { kind: 'found', status: '' }, 'leave', true],
  ])('%s → %s', (_label, lookup, action, warning) => {
    const decision = decideSweep(lookup);
    expect(decision.action).toBe(action);
    expect(decision.warning ?? false).toBe(warning);
    expect(decision.reason).toEqual(expect.any(String));
    // Only an unreachable order service ends the run early.
    expect(decision.stopRun ?? false).toBe(lookup.kind === 'failed' && lookup.code === 'UPSTREAM.UNAVAILABLE');
  });
});
