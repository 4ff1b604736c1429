/**
 * A backend's JSON-RPC error data, as it was sent. The SDK rebuilds a -32042 (URL elicitation
 * required) error with `data: { elicitations }` only, dropping any other field; serve relays errors
 * unchanged (docs/protocol.md), so it keeps the data it received, keyed by that elicitations array
 * (the SDK hands the same array on).
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

const sent = new WeakMap<object, unknown>();

/** Watch a connected transport's incoming error responses (call after the client connected). */
export function keepErrorData(transport: Transport): void {
  const onmessage = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const data = (message as { error?: { data?: { elicitations?: unknown } } }).error?.data;
    if (data && typeof data.elicitations === 'object' && data.elicitations !== null) sent.set(data.elicitations, data);
    onmessage?.(message, extra);
  };
}

/** The data of an error from a backend, as the backend sent it. */
export function errorDataOf(error: unknown): unknown {
  const data = (error as { data?: { elicitations?: unknown } } | undefined)?.data;
  const elicitations = data?.elicitations;
  return (typeof elicitations === 'object' && elicitations !== null && sent.get(elicitations)) || data;
}
