/**
 * `1mcp run <server>/<tool> --args '<json>'` (or the arguments on stdin): calls the tool through a session
 * of the view, exactly as a client would. The result's text goes to stdout; a tool error (isError) goes to
 * stderr with exit 1, and so does a JSON-RPC error; serve not reachable is exit 3, bad input exit 2.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { exposedName } from '../catalog/names.ts';
import { OneMcpError, UsageError } from '../errors.ts';
import { nearest } from './nearest.ts';
import { print, printJson } from './output.ts';
import { ServeApiError, serveApi } from './serve-client.ts';
import { splitToolRef } from './tool-ref.ts';
import { closeViewSession, openViewSession, resolveViewTarget, viewLabel, type ViewTarget } from './view-session.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The arguments: --args, else stdin when it is a pipe or a file; none at all is `{}`. */
async function toolArguments(options: Record<string, any>): Promise<Record<string, unknown>> {
  const fromStdin = options.args === '-' || (options.args === undefined && !process.stdin.isTTY);
  const text = fromStdin ? await readStdin() : (options.args ?? '');
  const where = fromStdin ? 'stdin' : '--args';
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not valid JSON (${(error as Error).message}); give an object such as '{"path":"README.md"}'`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${where} must be a JSON object of arguments, such as '{"path":"README.md"}' (got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)})`);
  return value as Record<string, unknown>;
}

/** The exposed name to call: `<server>/<tool>` is looked up in serve (own or exposed name); a bare name is taken as exposed. */
async function exposedTarget(vt: ViewTarget, ref: string): Promise<string> {
  const { server, tool } = splitToolRef(ref);
  if (tool === undefined) return server;
  let body: { tools: { name: string; exposedName: string }[] };
  try {
    body = await serveApi(vt.target, `/api/servers/${encodeURIComponent(server)}/tools`);
  } catch (error) {
    if (error instanceof ServeApiError && error.status === 404) throw new UsageError(`serve has no server named "${server}"; see "1mcp inspect"`);
    if (error instanceof ServeApiError && (error.status === 401 || error.status === 403)) throw new OneMcpError(error.message, { exitCode: 3 });
    throw error;
  }
  const found = body.tools.find((t) => t.name === tool) ?? body.tools.find((t) => t.exposedName === tool);
  if (found) return found.exposedName;
  // A server that has listed nothing yet (starting, or one instance per session): the name serve would give it.
  if (body.tools.length === 0) return exposedName(server, tool);
  const hint = nearest(tool, body.tools.map((t) => t.name));
  throw new UsageError(`${server} has no tool "${tool}"${hint ? `; did you mean "${server}/${hint}"?` : ''} (see "1mcp inspect ${server}")`);
}

/** The result as text: text parts as they are, other parts as a short bracketed note. */
export function resultText(result: CallToolResult): string {
  const parts = (result.content ?? []).map((c) => {
    switch (c.type) {
      case 'text':
        return c.text;
      case 'image':
      case 'audio':
        return `[${c.type} ${c.mimeType}, ${Math.floor((c.data.length * 3) / 4)} bytes]`;
      case 'resource':
        return 'text' in c.resource && typeof c.resource.text === 'string' ? c.resource.text : `[resource ${c.resource.uri}]`;
      case 'resource_link':
        return `[resource link ${c.uri}]`;
      default:
        return `[${(c as { type: string }).type}]`;
    }
  });
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent, null, 2);
  return parts.join('\n');
}

export async function run(args: string[], options: Record<string, any>): Promise<number> {
  if (args.length !== 1) throw new UsageError(`usage: 1mcp run <server>/<tool> [--args '<json>'] (got ${args.length ? args.map((a) => `"${a}"`).join(' ') : 'no tool'})`);
  const toolArgs = await toolArguments(options);
  const vt = await resolveViewTarget(options);
  const [named, opened] = await Promise.allSettled([exposedTarget(vt, args[0]!), openViewSession(vt)]);
  if (named.status === 'rejected' || opened.status === 'rejected') {
    if (opened.status === 'fulfilled') await closeViewSession(opened.value);
    throw named.status === 'rejected' ? named.reason : (opened as PromiseRejectedResult).reason;
  }
  const name = named.value;
  const client = opened.value;
  let result: CallToolResult;
  try {
    // Asking for progress makes serve's progress notifications reset --timeout; on a terminal they are shown.
    const onprogress = (p: { progress: number; total?: number; message?: string }) => {
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${args[0]}: ${p.progress}${p.total !== undefined ? `/${p.total}` : ''}${p.message ? ` ${p.message}` : ''}`);
    };
    result = (await client.callTool({ name, arguments: toolArgs }, undefined, { timeout: options.timeout, resetTimeoutOnProgress: true, onprogress })) as CallToolResult;
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // A JSON-RPC error answer (unknown or hidden tool, backend down, timeout): exit 1 with its message.
    if (typeof code === 'number') {
      if (options.json) printJson({ error: { code, message: (error as Error).message, ...((error as { data?: unknown }).data !== undefined ? { data: (error as { data?: unknown }).data } : {}) } });
      throw new OneMcpError(`${args[0]} (${viewLabel(vt.view)}): ${(error as Error).message}`);
    }
    throw new OneMcpError(`lost serve at ${vt.url} during the call: ${(error as Error).message}`, { exitCode: 3 });
  } finally {
    await closeViewSession(client);
  }
  if (options.json) printJson(result);
  else if (result.isError) process.stderr.write(`${resultText(result) || 'the tool reported an error without a message'}\n`);
  else {
    const text = resultText(result);
    if (text) print(text);
  }
  return result.isError ? 1 : 0;
}
