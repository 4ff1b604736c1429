/**
 * A real Codex in a project whose `.1mcprc` sets `"discovery": "search"` (docs/codex.md): the scripted model
 * (offline, as in codex.test.ts) first calls 1mcp_search_tools, then 1mcp_call_tool with the first tool
 * name of the search result, and the backend receives the call. Codex only sees the meta-tools.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { providerConfig, runCodex } from '../helpers/codex.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { offeredTools } from '../helpers/mock-model.ts';
import { e2eMode } from '../helpers/mode.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const NAMESPACE = 'mcp__1mcp';
const EXPOSED = /\b([A-Za-z0-9-]+_1mcp_[A-Za-z0-9_-]+)\b/;

interface ScriptedModel {
  baseUrl: string;
  requests: any[];
  /** The tool name the model took from the search result. */
  chosen?: string;
  stop(): void;
}

/**
 * Plays the model over three turns: search, call what the search found first, then answer. Each turn is
 * decided from the `function_call_output` items Codex sends back.
 */
function startSearchingModel(query: string, args: Record<string, unknown>): ScriptedModel {
  const model: ScriptedModel = { baseUrl: '', requests: [], stop: () => {} };
  const call = (id: string, name: string, a: unknown) => ({ type: 'function_call', id: `fc_${id}`, call_id: id, namespace: NAMESPACE, name, arguments: JSON.stringify(a) });
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      if (request.method !== 'POST' || !new URL(request.url).pathname.endsWith('/responses')) return new Response('not found', { status: 404 });
      const body = await request.json();
      model.requests.push(body);
      const outputs = new Map<string, string>();
      for (const i of Array.isArray(body.input) ? body.input : []) {
        if (i?.type === 'function_call_output') outputs.set(i.call_id, typeof i.output === 'string' ? i.output : JSON.stringify(i.output));
      }
      let item: unknown;
      if (!outputs.has('search')) item = call('search', '1mcp_search_tools', { query });
      else if (!outputs.has('run')) {
        model.chosen = EXPOSED.exec(outputs.get('search')!)?.[1] ?? 'nothing_found';
        item = call('run', '1mcp_call_tool', { name: model.chosen, arguments: args });
      } else item = { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: `tool said: ${outputs.get('run')}` }] };
      const events: [string, unknown][] = [
        ['response.output_item.done', { type: 'response.output_item.done', output_index: 0, item }],
        ['response.completed', { type: 'response.completed', response: { id: `resp_${model.requests.length}`, usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } } }],
      ];
      return new Response(events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(''), { headers: { 'content-type': 'text/event-stream' } });
    },
  });
  model.baseUrl = `http://127.0.0.1:${server.port}/v1`;
  model.stop = () => server.stop(true);
  return model;
}



describe('Codex → 1mcp in search mode (.1mcprc "discovery": "search")', () => {
  let home: string;
  let codexHome: string;
  let project: string;
  let serve: ServeHandle;
  let model: ScriptedModel;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), '1mcp-codex-search-'));
    codexHome = join(home, '.codex');
    project = join(home, 'project');
    mkdirSync(codexHome, { recursive: true });
    mkdirSync(project);
    const configDir = join(home, '.config', '1mcp');
    mkdirSync(configDir, { recursive: true });
    serve = await startServe(
      { mcpServers: { math: fixtureEntry(['--name', 'math'], { tags: ['math'] }), other: fixtureEntry(['--name', 'other'], { tags: ['other'] }) } },
      { dir: configDir, mode: e2eMode() },
    );
    model = startSearchingModel('add two numbers', { a: 2, b: 3 });
    writeFileSync(join(codexHome, 'config.toml'), providerConfig(model.baseUrl));
    const setup = await runCli(['setup', 'codex', '--config-dir', configDir], { env: { CODEX_HOME: codexHome }, mode: e2eMode() });
    expect(setup.code).toBe(0);
    // Codex runs a tool unasked only when it is marked read-only. 1mcp_call_tool cannot claim that (it runs
    // whatever it is given), so the user approves it once in Codex's config.
    appendFileSync(join(codexHome, 'config.toml'), '\n[mcp_servers.1mcp.tools.1mcp_call_tool]\napproval_mode = "approve"\n');
    writeFileSync(join(project, '.1mcprc'), '{ "discovery": "search", "tags": "math" } // search mode in this project\n');
  });

  afterAll(async () => {
    model?.stop();
    await serve?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const addCalls = async (server: string) => {
    const c = await connectHttp(serve.url);
    try {
      return JSON.parse(textOf(await c.callTool({ name: `${server}_1mcp_stats`, arguments: {} }))).calls.filter((x: { name: string }) => x.name === 'add').length;
    } finally {
      await c.close();
    }
  };

  test('search, then call the tool the search found: the backend gets it and Codex sees the result', async () => {
    const before = { math: await addCalls('math'), other: await addCalls('other') };
    const run = await runCodex({ home, codexHome, cwd: project, prompt: 'Find a tool that adds numbers and add 2 and 3.' });
    const calls = run.events.filter((e) => e.type === 'item.completed' && e.item?.type === 'mcp_tool_call');
    if (calls.length !== 2) console.log(run.stderr.slice(-2000), JSON.stringify(run.events).slice(0, 3000));

    // The model was offered the meta-tools only.
    expect(offeredTools(model.requests[0], NAMESPACE).sort()).toEqual(['1mcp_call_tool', '1mcp_describe_tool', '1mcp_search_tools']);
    expect(calls.map((c) => c.item.tool)).toEqual(['1mcp_search_tools', '1mcp_call_tool']);
    expect(calls.every((c) => c.item.status === 'completed')).toBe(true);
    // The search saw only the project's view (tags math), and its best match was the add tool.
    expect(model.chosen).toBe('math_1mcp_add');
    expect(calls[1].item.arguments).toEqual({ name: 'math_1mcp_add', arguments: { a: 2, b: 3 } });
    expect(calls[1].item.result.content).toEqual([{ type: 'text', text: '5' }]);
    expect(await addCalls('math')).toBe(before.math + 1);
    expect(await addCalls('other')).toBe(before.other);
  }, 90_000);
});
