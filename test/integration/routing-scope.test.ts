/**
 * Server-to-client requests (sampling, elicitation, roots) stay inside the scope of the backend that
 * asks (docs/security.md): never to a session whose view or token excludes it, and never across
 * tokens when whose call asked cannot be told. Real serve, real fixture backends, real SDK clients.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf, type ClientHooks } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const BACKENDS = {
  pub: fixtureEntry(['--name', 'pub', '--fidelity'], { tags: ['public'] }),
  sec: fixtureEntry(['--name', 'sec', '--fidelity'], { tags: ['secret'] }),
};

interface Later {
  kind: string;
  result?: Record<string, unknown>;
  error?: { code?: number; message: string };
}

/** A client that declares no capabilities at all: it cannot be asked anything. */
async function connectIncapable(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'incapable', version: '1.0.0' }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

const stats = async (client: Client, server: string) => JSON.parse(textOf(await client.callTool({ name: `${server}_1mcp_stats`, arguments: {} })));

/** Make `server` ask its client something after its call returned, and wait for the outcome. */
async function askLater(client: Client, server: string, kind: 'sampling' | 'elicitation' | 'roots'): Promise<Later> {
  const before = (await stats(client, server)).later.length;
  expect(textOf(await client.callTool({ name: `${server}_1mcp_ask_later`, arguments: { kind, ms: 50 } }))).toBe('scheduled');
  return waitFor(async () => (await stats(client, server)).later[before] as Later | undefined, { what: `${server}'s ${kind} request to settle` });
}

/** Hooks that record every question a client is asked. */
function recording(name: string, asked: string[]): ClientHooks {
  return {
    sampling: () => {
      asked.push(`${name}:sampling`);
      return `answer of ${name}`;
    },
    elicitation: () => {
      asked.push(`${name}:elicitation`);
      return { action: 'accept', content: {} };
    },
    roots: () => {
      asked.push(`${name}:roots`);
      return [{ uri: `file:///${name}`, name }];
    },
  };
}

describe('server-to-client requests without auth: views decide', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe({ mcpServers: BACKENDS });
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('a backend outside a session\'s view never reaches it, even when that session is the only one that can answer', async () => {
    const asked: string[] = [];
    // The public-only client is the most recently active session and the only one with sampling hooks.
    const secretUser = await connectIncapable(`${serve.url}?tags=secret`);
    const publicUser = await connectHttp(`${serve.url}?tags=public`, { name: 'public-user', hooks: recording('public', asked) });
    try {
      for (const kind of ['sampling', 'elicitation', 'roots'] as const) {
        const outcome = await askLater(secretUser, 'sec', kind);
        expect(outcome.result).toBeUndefined();
        expect(outcome.error?.code).toBe(-32601);
        // (Refused either as "no client that may see sec declared …" or, when a stats poll of the incapable
        // session is in flight at that moment, as "the calling client did not declare …".)
        expect(outcome.error?.message).toMatch(/no client session can answer .* declare/);
      }
      expect(asked).toEqual([]);

      // The legitimate path: pub's own request reaches the public session.
      const outcome = await askLater(publicUser, 'pub', 'roots');
      expect(outcome.result).toEqual({ roots: [{ uri: 'file:///public', name: 'public' }] });
      expect(asked).toEqual(['public:roots']);
    } finally {
      await secretUser.close();
      await publicUser.close();
    }
  });
});

describe('server-to-client requests with --enable-auth: tokens decide', () => {
  let serve: ServeHandle;
  const tokens: Record<string, string> = {};
  const createToken = async (name: string, ...extra: string[]) => {
    const r = await runCli(['auth', 'token', 'create', '--name', name, ...extra, '--config-dir', serve.dir]);
    expect(r.code).toBe(0);
    tokens[name] = r.stdout.trim();
  };
  const connectAs = (token: string, name: string, hooks: ClientHooks = {}) => connectHttp(serve.url, { name, hooks, headers: { authorization: `Bearer ${tokens[token]}` } });

  beforeAll(async () => {
    serve = await startServe({ mcpServers: BACKENDS }, { args: ['--enable-auth'] });
    await createToken('public-token', '--tags', 'public');
    await createToken('secret-token', '--tags', 'secret');
    await createToken('alice');
    await createToken('bob');
  });
  afterAll(async () => {
    await serve.stop();
  });

  test("a public token's client never gets a secret server's sampling, elicitation or roots request (the issue's attack)", async () => {
    const asked: string[] = [];
    const secretUser = await connectIncapable(serve.url, { authorization: `Bearer ${tokens['secret-token']}` });
    const attacker = await connectAs('public-token', 'attacker', recording('attacker', asked));
    try {
      // The attacker is active and able to answer; the secret session is not able to.
      expect((await attacker.listTools()).tools.every((t) => t.name.startsWith('pub_'))).toBe(true);
      for (const kind of ['sampling', 'elicitation', 'roots'] as const) {
        const outcome = await askLater(secretUser, 'sec', kind);
        expect(outcome.error?.code).toBe(-32601);
      }
      expect(asked).toEqual([]);

      // During a call: the secret session is asked (its own call), the attacker still not.
      const secretAsked: string[] = [];
      const secretAnswering = await connectAs('secret-token', 'secret-answering', recording('secret', secretAsked));
      try {
        expect(textOf(await secretAnswering.callTool({ name: 'sec_1mcp_sample', arguments: { prompt: 'x' } }))).toBe('answer of secret');
        expect(JSON.parse(textOf(await secretAnswering.callTool({ name: 'sec_1mcp_roots', arguments: {} })))).toEqual({ roots: [{ uri: 'file:///secret', name: 'secret' }] });
        // And outside a call, the session whose token admits the backend answers.
        expect((await askLater(secretAnswering, 'sec', 'sampling')).result).toMatchObject({ content: { text: 'answer of secret' } });
      } finally {
        await secretAnswering.close();
      }
      expect(secretAsked).toEqual(['secret:sampling', 'secret:roots', 'secret:sampling']);
      expect(asked).toEqual([]);
    } finally {
      await secretUser.close();
      await attacker.close();
    }
  });

  test('calls of two tokens in flight on one shared backend: a sampling request is refused, not guessed', async () => {
    const askedAlice: string[] = [];
    const askedBob: string[] = [];
    const alice = await connectAs('alice', 'alice', recording('alice', askedAlice));
    const bob = await connectAs('bob', 'bob', recording('bob', askedBob));
    try {
      // Alice's slow call keeps a call of hers in flight on "pub".
      const slow = alice.callTool({ name: 'pub_1mcp_slow', arguments: { ms: 1500, steps: 1 } });
      await waitFor(async () => (await stats(bob, 'pub')).calls.some((c: { name: string }) => c.name === 'slow'), { what: "alice's slow call to start" });
      const refused = await bob.callTool({ name: 'pub_1mcp_sample', arguments: { prompt: 'whose?' } }).then(
        () => undefined,
        (e: { code?: number; message: string }) => e,
      );
      expect(refused?.message).toContain('different tokens');
      expect(textOf(await slow)).toBe('done');
      expect(askedAlice).toEqual([]);
      expect(askedBob).toEqual([]);

      // Once only bob's call is in flight, bob is asked.
      expect(textOf(await bob.callTool({ name: 'pub_1mcp_sample', arguments: { prompt: 'mine' } }))).toBe('answer of bob');
      expect(askedBob).toEqual(['bob:sampling']);
      expect(askedAlice).toEqual([]);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});
