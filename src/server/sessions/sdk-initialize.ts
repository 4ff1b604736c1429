/**
 * The one place that touches a private member of the MCP SDK: `Server._oninitialize`, which
 * negotiates the protocol version and records the client's capabilities and info (read back through
 * the public getClientCapabilities() and getClientVersion(), which the router relies on).
 *
 * Why not a public way: the SDK takes `instructions` and capabilities only in the Server's
 * constructor, and the Server must be connected to its transport before `initialize` arrives. Ours
 * depend on the session's view and on backends that may still be starting, so they are known only
 * inside the initialize handler, after waiting for startup. Replacing the handler with our own
 * negotiation would leave the client's capabilities unrecorded (they live in private fields too).
 * test/unit/sdk-initialize.test.ts fails if an SDK update renames or changes this member.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { InitializeRequest, InitializeResult } from '@modelcontextprotocol/sdk/types.js';

export type Negotiate = (request: InitializeRequest) => Promise<InitializeResult>;

/** The SDK's own initialize handling for `server`, to be called from our initialize handler. */
export function sdkInitialize(server: Server): Negotiate {
  const negotiate = (server as unknown as { _oninitialize?: Negotiate })._oninitialize;
  if (typeof negotiate !== 'function') {
    throw new Error('the MCP SDK Server has no _oninitialize any more; adapt src/server/sessions/sdk-initialize.ts to the new SDK');
  }
  return negotiate.bind(server);
}
