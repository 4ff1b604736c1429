/** A bare Streamable HTTP MCP session over fetch: no SDK, so load tests measure serve, not the client. */
export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export interface RawSession {
  id: string;
  request(method: string, params?: unknown): Promise<any>;
}

/** The JSON-RPC messages in a response body (JSON or SSE). */
export function messagesOf(contentType: string | null, body: string): any[] {
  if (contentType?.includes('text/event-stream')) {
    return body
      .split(/\n\n/)
      .map((event) => event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n'))
      .filter((data) => data.length > 0)
      .map((data) => JSON.parse(data));
  }
  return body ? [JSON.parse(body)] : [];
}

export async function openRawSession(url: string): Promise<RawSession> {
  const init = await fetch(url, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  const id = init.headers.get('mcp-session-id');
  await init.text();
  if (!id) throw new Error(`no session id (status ${init.status})`);
  const headers = { ...JSON_HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' };
  await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  let next = 1;
  return {
    id,
    async request(method, params) {
      const requestId = next++;
      const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: requestId, method, params }) });
      const messages = messagesOf(r.headers.get('content-type'), await r.text());
      const answer = messages.find((m) => m.id === requestId);
      if (!answer) throw new Error(`no answer for ${method} (status ${r.status})`);
      if (answer.error) throw new Error(answer.error.message);
      return answer.result;
    },
  };
}
