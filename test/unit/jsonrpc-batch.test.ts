/** src/jsonrpc.ts: "a message or a batch", and what counts as a request. */
import { expect, test } from 'bun:test';
import { isRequest, messagesOf } from '../../src/jsonrpc.ts';

test('messagesOf: a batch is its messages in order, one message is a list of one, nothing parsed is none', () => {
  const a = { jsonrpc: '2.0', id: 1, method: 'ping' };
  const b = { jsonrpc: '2.0', method: 'notifications/initialized' };
  expect(messagesOf([a, b])).toEqual([a, b]);
  expect(messagesOf([])).toEqual([]);
  expect(messagesOf(a)).toEqual([a]);
  expect(messagesOf(undefined)).toEqual([]);
  // Parsed JSON that is not a message is still one (invalid) message: the caller rejects it.
  expect(messagesOf(null)).toEqual([null]);
  expect(messagesOf(7)).toEqual([7]);
});

test('isRequest: a method and an id that is not null', () => {
  expect(isRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toBe(true);
  expect(isRequest({ jsonrpc: '2.0', id: 'a', method: 'tools/list' })).toBe(true);
  expect(isRequest({ jsonrpc: '2.0', id: 0, method: 'ping' })).toBe(true);
  expect(isRequest({ jsonrpc: '2.0', method: 'notifications/progress' })).toBe(false);
  expect(isRequest({ jsonrpc: '2.0', id: null, method: 'x' })).toBe(false);
  expect(isRequest({ jsonrpc: '2.0', id: 1, result: {} })).toBe(false);
  expect(isRequest(null)).toBe(false);
  expect(isRequest('tools/list')).toBe(false);
});
