/**
 * The one user-facing error model (src/errors.ts) and its two conversion points: errorReport (the CLI:
 * exit code and one line, the stack only with debug) and errorResponse (HTTP: status and body shape).
 * Each is checked directly and through a real process.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { errorReport } from '../../src/cli/program.ts';
import { isOneMcpError, OneMcpError, UsageError } from '../../src/errors.ts';
import { FilterSyntaxError, parseFilter } from '../../src/filter/index.ts';
import { RpcError } from '../../src/server/errors.ts';
import { errorResponse } from '../../src/server/http/responses.ts';
import { ViewError } from '../../src/server/views.ts';
import { runCli } from '../helpers/cli.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('OneMcpError and its kinds', () => {
  test('the base: exit code 1 and HTTP 500 unless told, so an unclassified error never shows its message to a client', () => {
    const e = new OneMcpError('cannot read x');
    expect([e.message, e.exitCode, e.httpStatus, e.isClientError, e.name]).toEqual(['cannot read x', 1, 500, false, 'OneMcpError']);
    const told = new OneMcpError('gone', { exitCode: 3, httpStatus: 404, cause: 'why' });
    expect([told.exitCode, told.httpStatus, told.isClientError, told.cause]).toEqual([3, 404, true, 'why']);
    expect('cause' in e).toBe(false);
  });

  test('UsageError: exit 2 and 400, whatever else is passed', () => {
    const e = new UsageError('--port must be a number', { cause: 1 });
    expect([e.exitCode, e.httpStatus, e.isClientError, e.cause, e instanceof OneMcpError]).toEqual([2, 400, true, 1, true]);
  });

  test('ViewError: 400 for a request, exit 1 for serve --preset/--filter', () => {
    const e = new ViewError('unknown preset "x"');
    expect([e.exitCode, e.httpStatus, e.name, isOneMcpError(e)]).toEqual([1, 400, 'ViewError', true]);
  });

  test('a filter syntax error is a usage error (exit 2, 400) and keeps its details', () => {
    const e = thrown(() => parseFilter('web and')) as FilterSyntaxError;
    expect(e).toBeInstanceOf(UsageError);
    expect([e.exitCode, e.httpStatus, e.column]).toEqual([2, 400, 8]);
  });

  test('a relayed JSON-RPC error is not a user error (it travels inside an MCP response)', () => {
    expect(isOneMcpError(new RpcError(-32602, 'unknown tool'))).toBe(false);
  });
});

describe('errorResponse: the HTTP conversion', () => {
  test('a client error on a JSON-RPC route: its status, code -32602, its message, id null', async () => {
    const r = errorResponse(new ViewError('choose one view selector, not "preset" and "tags"'), 'json-rpc');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toEqual({ jsonrpc: '2.0', error: { code: -32602, message: 'choose one view selector, not "preset" and "tags"' }, id: null });
  });

  test('a client error on another route: its status and its message as plain text', async () => {
    const r = errorResponse(new OneMcpError('no such thing', { httpStatus: 404 }), 'text');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await r.text()).toBe('no such thing');
  });

  test('anything else is a 500 that tells nothing, on either shape', async () => {
    for (const error of [new Error('/home/me/secret path'), new OneMcpError('cannot read /etc/shadow'), 'a string', undefined]) {
      for (const shape of ['json-rpc', 'text'] as const) {
        const r = errorResponse(error, shape);
        expect(r.status).toBe(500);
        expect(await r.json()).toEqual({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null });
      }
    }
  });
});

describe('errorReport: the CLI conversion', () => {
  test('ours: one line and its exit code; the stack only with debug', () => {
    expect(errorReport(new OneMcpError('no preset named "x"'), false)).toEqual({ text: '1mcp: no preset named "x"\n', exitCode: 1 });
    expect(errorReport(new UsageError('--port must be a number'), false)).toEqual({ text: '1mcp: --port must be a number\n', exitCode: 2 });
    const debug = errorReport(new UsageError('--port must be a number'), true);
    expect(debug.exitCode).toBe(2);
    expect(debug.text.split('\n')[0]).toBe('1mcp: --port must be a number');
    expect(debug.text).toContain('\n    at ');
  });

  test('not ours: said to be unexpected, exit 1', () => {
    expect(errorReport(new TypeError('x is undefined'), false)).toEqual({ text: '1mcp: x is undefined (unexpected; rerun with --log-level debug for details)\n', exitCode: 1 });
    expect(errorReport('thrown text', false).text).toBe('1mcp: thrown text (unexpected; rerun with --log-level debug for details)\n');
  });
});

describe('through real processes', () => {
  let dir: TempDir;
  let serve: ServeHandle;
  beforeAll(async () => {
    dir = makeTempDir('1mcp-errors-');
    serve = await startServe({ mcpServers: {} });
  });
  afterAll(async () => {
    await serve?.stop();
    dir?.cleanup();
  });

  test('CLI: a user error is one line with its exit code; --log-level debug adds the stack', async () => {
    const plain = await runCli(['preset', 'show', 'nosuch', '--config-dir', dir.path]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^1mcp: no preset named "nosuch"[^\n]*\n$/);
    const usage = await runCli(['mcp', 'add', 'bad name!', '--config-dir', dir.path, '--', 'echo']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe(`1mcp: invalid server name "bad name!": use 1-50 letters, digits, '_' or '-'\n`);
    const debug = await runCli(['preset', 'show', 'nosuch', '--config-dir', dir.path, '--log-level', 'debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('1mcp: no preset named "nosuch"');
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  test('HTTP: a wrong view selector is a 400 in the shape of its route; a right one still connects', async () => {
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const post = (query: string) =>
      fetch(`${serve.url}${query}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: init });
    const unknown = await post('?preset=nope');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ jsonrpc: '2.0', error: { code: -32602, message: 'unknown preset "nope"; create it with "1mcp preset create"' }, id: null });
    const syntax = await post(`?tag-filter=${encodeURIComponent('web and')}`);
    expect(syntax.status).toBe(400);
    expect(((await syntax.json()) as { error: { code: number; message: string } }).error).toEqual({ code: -32602, message: "expected a tag after 'and', found the end at column 8" });
    const sse = await fetch(`${serve.origin}/sse?preset=nope`);
    expect(sse.status).toBe(400);
    expect(sse.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await sse.text()).toBe('unknown preset "nope"; create it with "1mcp preset create"');
    const ok = await post('');
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    // Client errors are not logged as failures.
    expect(serve.stderr()).not.toMatch(/\n\s+at /);
  });
});
