import { describe, expect, test } from 'bun:test';
import { canonicalJson, openState, sealState, type StateBinding } from '../../src/server/modern/request-state.ts';

const binding: StateBinding = { principal: 'hash-a', view: '*', method: 'tools/call', params: { name: 'x', arguments: { a: 1, b: [1, 2] } } };

describe('requestState (sealed, bound, expiring)', () => {
  test('round-trips its data, whatever the round-specific fields and key order of the retry', () => {
    const state = sealState({ pending: 'p1', round: 2 }, binding, 60_000);
    const retry = { ...binding, params: { arguments: { b: [1, 2], a: 1 }, name: 'x', requestState: state, inputResponses: {}, _meta: { progressToken: 3 } } };
    expect(openState(state, retry)).toEqual({ pending: 'p1', round: 2 });
  });

  test('a tampered state is refused with -32602', () => {
    const state = sealState({ pending: 'p1' }, binding, 60_000);
    for (const bad of [`${state}-TAMPERED`, `x${state}`, state.replace('.', '.A'), '', 'abc', 42, null]) {
      expect(() => openState(bad, binding)).toThrow(expect.objectContaining({ code: -32602 }));
    }
    // A changed payload with the old mac.
    const [payload, mac] = state.split('.') as [string, string];
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString('utf8').replace('p1', 'p2')).toString('base64url');
    expect(() => openState(`${forged}.${mac}`, binding)).toThrow(/integrity check/);
  });

  test('another token, view, method or arguments is refused', () => {
    const state = sealState({}, binding, 60_000);
    for (const other of [
      { ...binding, principal: 'hash-b' },
      { ...binding, principal: undefined },
      { ...binding, view: 'tags:x' },
      { ...binding, method: 'prompts/get' },
      { ...binding, params: { name: 'x', arguments: { a: 2, b: [1, 2] } } },
    ]) {
      expect(() => openState(state, other)).toThrow(/belongs to another request/);
    }
  });

  test('an expired state is refused', () => {
    const state = sealState({}, binding, -1);
    expect(() => openState(state, binding)).toThrow(/expired/);
  });

  test('canonical JSON sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [true, null] } })).toBe('{"a":{"c":[true,null]},"b":1}');
  });
});
