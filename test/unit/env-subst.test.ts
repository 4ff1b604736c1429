/** ${VAR} in mcp.json: resolved per server, only in the fields a server is started with. */
import { describe, expect, test } from 'bun:test';
import { unresolvedVariables } from '../../src/config/env-subst.ts';
import { validateMcpConfig } from '../../src/config/mcp-config.ts';

const load = (mcpServers: Record<string, unknown>, env: Record<string, string>, extra: Record<string, unknown> = {}) =>
  Object.fromEntries(validateMcpConfig({ mcpServers, ...extra }, 'mcp.json', { env }).map((s) => [s.name, s]));

describe('per-server resolution', () => {
  test('an unset variable marks only its server, naming the variable and the field; the others resolve', () => {
    const servers = load(
      {
        ok: { command: 'node', args: ['${DIR}/x.js'], env: { K: '${SET}' } },
        web: { url: 'https://example.com/mcp', headers: { Authorization: 'Bearer ${API_TOKEN}' } },
      },
      { SET: 'v', DIR: '/opt' },
    );
    expect(servers.ok!.configProblem).toBeUndefined();
    expect(servers.ok!.args).toEqual(['/opt/x.js']);
    expect(servers.ok!.env).toEqual({ K: 'v' });
    expect(servers.web!.configProblem).toContain('${API_TOKEN}');
    expect(servers.web!.configProblem).toContain('"headers.Authorization"');
    expect(servers.web!.configProblem).toContain('server "web"');
    // Its fields stay as written: nothing half-substituted is started.
    expect(servers.web!.headers).toEqual({ Authorization: 'Bearer ${API_TOKEN}' });
  });

  test('disabled servers are not resolved; defaults and empty values behave as documented', () => {
    const servers = load(
      {
        off: { command: 'node', disabled: true, env: { K: '${MISSING}' } },
        dflt: { command: 'node', env: { A: '${MISSING:-fallback}', B: '${EMPTY:-used}', C: '${EMPTY}' } },
        inherits: { command: 'node' },
      },
      { EMPTY: '' },
      { serverDefaults: { env: { FROM_DEFAULTS: '${MISSING_TOO}' } } },
    );
    expect(servers.off!.configProblem).toBeUndefined();
    expect(servers.off!.env.K).toBe('${MISSING}');
    expect(servers.dflt!.configProblem).toContain('${MISSING_TOO}');
    // serverDefaults are resolved for each server that uses them.
    expect(servers.inherits!.configProblem).toContain('"env.FROM_DEFAULTS"');
    const noDefaults = load({ dflt: { command: 'node', env: { A: '${MISSING:-fallback}', B: '${EMPTY:-used}', C: '${EMPTY}' } } }, { EMPTY: '' });
    expect(noDefaults.dflt!.env).toEqual({ A: 'fallback', B: 'used', C: '' });
  });

  test('tags, descriptions and disabledTools are never substituted; substitute:false keeps everything', () => {
    const servers = load({ s: { command: 'node', tags: ['${T}'], description: '${D}', disabledTools: ['${X}'] } }, {});
    expect(servers.s!.configProblem).toBeUndefined();
    expect(servers.s!.tags).toEqual(['${t}']);
    const raw = validateMcpConfig({ mcpServers: { s: { command: '${CMD}' } } }, 'mcp.json', { substitute: false, env: {} });
    expect(raw[0]!.command).toBe('${CMD}');
    expect(raw[0]!.configProblem).toBeUndefined();
  });

  test('unresolvedVariables lists each place', () => {
    expect(unresolvedVariables({ a: ['${X}', '${Y:-y}'], b: { c: '${X}${Z}' } }, {})).toEqual([
      { path: 'a[0]', variable: 'X' },
      { path: 'b.c', variable: 'X' },
      { path: 'b.c', variable: 'Z' },
    ]);
  });
});
