/**
 * The official MCP conformance suite's authorization-server scenarios (`conformance authorization`:
 * authorization-server-metadata-endpoint, authorization-code-grant) against `serve --enable-auth oauth`.
 *
 * The suite needs a registered client whose redirect URI is its own loopback callback; the test registers
 * one the ordinary way (dynamic registration, RFC 7591). For the code grant the suite prints the
 * authorization URL and waits for a browser to come back to its callback; the test is that browser and the
 * local user: it opens the consent page, reads the one-time approval code from serve's log (where serve
 * prints it for the person at the terminal), submits the form, and follows the redirect. The suite then
 * exchanges the code (PKCE S256, resource) at the token endpoint and checks the answer.
 */
import { expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BUN_BIN, ROOT } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { e2eMode } from '../helpers/mode.ts';
import { freePort } from '../helpers/ports.ts';
import { assertAllGone, waitFor } from '../helpers/processes.ts';
import { startServe } from '../helpers/serve.ts';

const SUITE = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

test("the suite's authorization-server scenarios pass against serve --enable-auth oauth (consent with the printed approval code)", async () => {
  const serve = await startServe({ mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } }, { args: ['--enable-auth', 'oauth'], mode: e2eMode() });
  try {
    const port = await freePort();
    const registered = await fetch(`${serve.origin}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Conformance Suite', redirect_uris: [`http://127.0.0.1:${port}/callback`], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }),
    });
    expect(registered.status).toBe(201);
    const { client_id: clientId } = (await registered.json()) as { client_id: string };

    const suite = spawn(BUN_BIN, [SUITE, 'authorization', '--url', serve.origin, '--client-id', clientId, '--resource', serve.url, '--port', String(port)], { cwd: ROOT });
    let out = '';
    suite.stdout.on('data', (d) => (out += d));
    suite.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number>((resolve) => suite.on('exit', (code) => resolve(code ?? 1)));
    try {
      // The browser: the consent page the suite's link leads to.
      const link = await waitFor(() => new RegExp(`^(${serve.origin}/oauth/authorize\\?\\S+)$`, 'm').exec(out)?.[1], { timeout: 20_000, what: 'the authorization URL from the suite' });
      const seen = serve.stderr().length;
      const page = await fetch(link);
      expect(page.status).toBe(200);
      const requestId = /name="request" value="([^"]+)"/.exec(await page.text())?.[1];
      expect(requestId).toBeDefined();
      // The person at the terminal: the approval code serve printed for this request.
      const approvalCode = await waitFor(() => /"Conformance Suite" asks to connect — approval code (\d{3}-\d{3})/.exec(serve.stderr().slice(seen))?.[1], { what: "the approval code on serve's log" });
      const answer = await fetch(`${serve.origin}/oauth/authorize`, { method: 'POST', headers: { ...FORM, origin: serve.origin }, body: new URLSearchParams({ request: requestId!, approval_code: approvalCode, tag: 'a', action: 'allow' }), redirect: 'manual' });
      expect(answer.status).toBe(302);
      const back = new URL(answer.headers.get('location')!);
      expect(`${back.origin}${back.pathname}`).toBe(`http://127.0.0.1:${port}/callback`);
      expect((await fetch(back)).status).toBe(200);
      const code = await exited;
      if (code !== 0) console.log(out);
      expect(out).toContain('authorization-server-metadata-endpoint');
      expect(out).toContain('authorization-code-grant');
      expect(out).not.toMatch(/FAILURE|WARNING|SKIPPED/);
      expect(code).toBe(0);
      console.log(out.split('\n').filter((l) => /passed|failed|Total|✓|✗/i.test(l)).join('\n'));
    } finally {
      if (suite.exitCode === null) suite.kill('SIGKILL');
      await assertAllGone([suite.pid!]);
    }
  } finally {
    await serve.stop();
  }
}, 120_000);
