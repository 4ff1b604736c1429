/** Which client may answer a backend's request: sub-capabilities of sampling, elicitation and roots. */
import { describe, expect, test } from 'bun:test';
import { needOf, satisfies } from '../../src/server/client-needs.ts';

describe('needOf / satisfies', () => {
  test('elicitation: mode url needs elicitation.url; form (or no mode) needs form, which an empty capability means', () => {
    const url = needOf('elicitation/create', { mode: 'url', url: 'https://x', message: 'm', elicitationId: 'e' });
    const form = needOf('elicitation/create', { message: 'm', requestedSchema: { type: 'object', properties: {} } });
    expect(needOf('elicitation/create', { mode: 'form', message: 'm' })).toEqual(form);
    expect(satisfies({ elicitation: { url: {} } }, url)).toBe(true);
    expect(satisfies({ elicitation: {} }, url)).toBe(false);
    expect(satisfies({ elicitation: { form: {} } }, url)).toBe(false);
    expect(satisfies({ elicitation: {} }, form)).toBe(true);
    expect(satisfies({ elicitation: { form: {} } }, form)).toBe(true);
    expect(satisfies({ elicitation: { url: {} } }, form)).toBe(false);
    expect(satisfies({ elicitation: { form: {}, url: {} } }, form)).toBe(true);
    expect(satisfies({ sampling: {} }, form)).toBe(false);
    expect(satisfies(undefined, form)).toBe(false);
  });

  test('sampling: tools or toolChoice need sampling.tools; includeContext does not narrow', () => {
    const plain = needOf('sampling/createMessage', { messages: [], maxTokens: 1 });
    const withTools = needOf('sampling/createMessage', { messages: [], maxTokens: 1, tools: [] });
    const withChoice = needOf('sampling/createMessage', { messages: [], maxTokens: 1, toolChoice: { mode: 'auto' } });
    expect(withChoice).toEqual(withTools);
    expect(needOf('sampling/createMessage', { messages: [], maxTokens: 1, includeContext: 'allServers' })).toEqual(plain);
    expect(satisfies({ sampling: {} }, plain)).toBe(true);
    expect(satisfies({ sampling: {} }, withTools)).toBe(false);
    expect(satisfies({ sampling: { tools: {} } }, withTools)).toBe(true);
    expect(satisfies({ elicitation: {} }, plain)).toBe(false);
  });

  test('roots: the roots capability, listChanged or not', () => {
    const roots = needOf('roots/list', undefined);
    expect(satisfies({ roots: {} }, roots)).toBe(true);
    expect(satisfies({ roots: { listChanged: true } }, roots)).toBe(true);
    expect(satisfies({ sampling: {} }, roots)).toBe(false);
  });
});
