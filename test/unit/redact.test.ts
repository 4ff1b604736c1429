/** Secret redaction for stderr tails, errors and URLs shown by serve and the CLI. */
import { describe, expect, test } from 'bun:test';
import { MASK, redactSecrets, redactUrl } from '../../src/config/redact.ts';

describe('redactSecrets', () => {
  const cases: [string, string, string][] = [
    ['bearer header', 'Authorization: Bearer abc.def-123_XYZ', 'abc.def-123_XYZ'],
    ['basic header', 'authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA'],
    ['1mcp token', 'using 1mcp_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA tok', '1mcp_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA'],
    ['env assignment', 'API_KEY=hunter2hunter2 started', 'hunter2hunter2'],
    ['lower key with colon', 'client_secret: s3cr3tvalue', 's3cr3tvalue'],
    ['json member', '{"apiKey": "abcd1234efgh"}', 'abcd1234efgh'],
    ['cli flag', 'run --api-key topsecretvalue now', 'topsecretvalue'],
    ['url query', 'GET https://x.example/v1?access_token=qwertyuiop&x=1', 'qwertyuiop'],
    ['url password', 'postgres://admin:pa55word@db:5432/app', 'pa55word'],
    ['openai key', 'key is sk-proj-AbCdEfGhIjKlMnOpQrStUv', 'sk-proj-AbCdEfGhIjKlMnOpQrStUv'],
    ['github token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['aws key id', 'found AKIAIOSFODNN7EXAMPLE in env', 'AKIAIOSFODNN7EXAMPLE'],
    ['jwt', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c', 'eyJhbGciOiJIUzI1NiJ9'],
    ['long random', 'leaked Zx8kP2qL9mN4vB7cX1wE5rT3yU6iO0aS here', 'Zx8kP2qL9mN4vB7cX1wE5rT3yU6iO0aS'],
  ];
  for (const [name, input, secret] of cases) {
    test(`hides: ${name}`, () => {
      const out = redactSecrets(input);
      expect(out).not.toContain(secret);
      expect(out).toContain(MASK);
    });
  }

  test('keeps ordinary log text, paths and key names readable', () => {
    const plain = [
      'fixture ready on stdio',
      'Error: ENOENT: no such file or directory, open /home/user/projects/my-app/src/index.ts',
      'listening on http://127.0.0.1:3050/mcp',
      'connected (12 tools, 3 resources)',
      'session 1b4e28ba-2fa1-11d2-883f-0016d3cca427 closed',
      'authentication failed: token expired, use Basic auth or a Bearer token instead',
    ];
    for (const line of plain) expect(redactSecrets(line)).toBe(line);
    expect(redactSecrets('API_KEY=abcdef123456')).toBe(`API_KEY=${MASK}`);
    expect(redactSecrets('Authorization: Bearer xyz12345')).toBe(`Authorization: Bearer ${MASK}`);
  });

  test('idempotent', () => {
    const once = redactSecrets('token=abc123456 Bearer zzz99999 sk-ant-abcdefghijklmnop1234');
    expect(redactSecrets(once)).toBe(once);
  });
});

describe('redactUrl', () => {
  test('query values and password hidden, keys and the rest kept', () => {
    expect(redactUrl('https://api.example.com/mcp?key=abc&region=eu')).toBe(`https://api.example.com/mcp?key=${MASK}&region=${MASK}`);
    expect(redactUrl('https://user:secret@example.com/sse')).toBe(`https://user:${MASK}@example.com/sse`);
    expect(redactUrl('http://127.0.0.1:3050/mcp')).toBe('http://127.0.0.1:3050/mcp');
  });
  test('not a URL: redacted as text', () => {
    expect(redactUrl('not a url token=abcdef12')).toBe(`not a url token=${MASK}`);
  });
});
