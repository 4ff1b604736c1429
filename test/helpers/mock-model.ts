/**
 * A scripted stand-in for the model behind Codex (docs/codex.md): the first /v1/responses request gets a
 * function call to one MCP tool, the second (carrying the tool's output) a final message.
 * Every request body is kept so a test can check which tools Codex offered the model.
 */
export interface MockModel {
  baseUrl: string;
  requests: any[];
  stop(): void;
}

export function startMockModel(call: { namespace: string; tool: string; args: Record<string, unknown> }): MockModel {
  const requests: any[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (request.method !== 'POST' || !url.pathname.endsWith('/responses')) return new Response('not found', { status: 404 });
      const body = await request.json();
      requests.push(body);
      const input: any[] = Array.isArray(body.input) ? body.input : [];
      const output = input.find((i) => i?.type === 'function_call_output');
      const events: [string, unknown][] = [];
      if (!output) {
        events.push([
          'response.output_item.done',
          { type: 'response.output_item.done', output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', namespace: call.namespace, name: call.tool, arguments: JSON.stringify(call.args) } },
        ]);
      } else {
        const text = typeof output.output === 'string' ? output.output : JSON.stringify(output.output);
        events.push([
          'response.output_item.done',
          { type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: `tool said: ${text}` }] } },
        ]);
      }
      events.push(['response.completed', { type: 'response.completed', response: { id: `resp_${requests.length}`, usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } } }]);
      const sse = events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
      return new Response(sse, { headers: { 'content-type': 'text/event-stream' } });
    },
  });
  return { baseUrl: `http://127.0.0.1:${server.port}/v1`, requests, stop: () => server.stop(true) };
}

/** The tool names Codex offered the model inside a namespace (mcp__<key>). */
export function offeredTools(request: any, namespace: string): string[] {
  const tools: any[] = request?.tools ?? [];
  const ns = tools.find((t) => t?.type === 'namespace' && t?.name === namespace);
  return (ns?.tools ?? []).map((t: any) => t.name);
}
