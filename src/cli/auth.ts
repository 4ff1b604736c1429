/** `1mcp auth token create|list|revoke` (docs/security.md): bearer tokens for `serve --enable-auth`; approve and clients (OAuth) in auth-oauth.ts. */
import { hashToken, isExpired, newToken, parseDuration, parseTokensText, readTokensFile } from '../config/tokens.ts';
import { ownEntry, setOwnEntry } from '../config/own.ts';
import { updateFile } from '../config/safe-write.ts';
import { OneMcpError, UsageError } from '../errors.ts';
import { parseTagList } from '../filter/index.ts';
import { commandContext } from './context.ts';
import { color, note, print, printJson, table } from './output.ts';
import { runGroup } from './program.ts';

const NAME = /^[A-Za-z0-9_.-]{1,50}$/;

function writeTokens(path: string, backups: string, edit: (tokens: ReturnType<typeof readTokensFile>['tokens']) => void): void {
  updateFile(path, backups, (text) => {
    const file = parseTokensText(text, path);
    edit(file.tokens);
    return `${JSON.stringify(file, null, 2)}\n`;
  });
}

/** `30d` → the ISO date 30 days from now; nothing else (0, or beyond what a date can hold) is accepted. */
function expiryDate(text: string): string {
  const ms = parseDuration(text);
  const at = new Date(Date.now() + ms);
  if (ms <= 0) throw new UsageError(`--expires must be a lifetime longer than 0, such as 30d or 12h (got "${text}")`);
  if (Number.isNaN(at.getTime()) || ms > 100 * 365 * 86_400_000) throw new UsageError(`--expires is too far away (got "${text}"); leave it out for a token that never expires`);
  return at.toISOString();
}

async function token([action, name]: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  switch (action) {
    case 'create': {
      if (options.name !== undefined && name !== undefined && options.name !== name) throw new UsageError(`two names given ("${name}" and --name ${options.name}); give one`);
      const tokenName: string = options.name ?? name ?? `token-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 6)}`;
      if (!NAME.test(tokenName)) throw new UsageError(`invalid token name "${tokenName}": use 1-50 letters, digits, '.', '_' or '-'`);
      // An empty tag list would make an unrestricted token: refuse it rather than guess.
      const tags = options.tags !== undefined ? parseTagList(String(options.tags)) : undefined;
      if (tags !== undefined && tags.length === 0) throw new UsageError(`--tags needs at least one tag (got "${options.tags}"); leave --tags out for a token that sees every server`);
      const expires = options.expires !== undefined ? expiryDate(String(options.expires)) : undefined;
      const secret = newToken();
      writeTokens(paths.tokensJson, paths.backups, (tokens) => {
        if (ownEntry(tokens, tokenName)) throw new OneMcpError(`a token named "${tokenName}" exists; revoke it first or choose another --name`);
        setOwnEntry(tokens, tokenName, { name: tokenName, hash: hashToken(secret), ...(tags?.length ? { tags } : {}), created: new Date().toISOString(), ...(expires ? { expires } : {}) });
      });
      // The token itself goes to stdout alone, so `TOKEN=$(1mcp auth token create)` works.
      print(secret);
      note(`Created token ${color.bold(tokenName)}${tags?.length ? ` (servers tagged ${tags.join(', ')})` : ''}${expires ? `, expires ${expires}` : ''}. It is shown only now; store it (e.g. export ONE_MCP_TOKEN=…).`);
      return 0;
    }
    case 'list': {
      // A malformed `expires` counts as expired, as serve treats it (never as "valid forever").
      const tokens = Object.values(readTokensFile(paths.tokensJson).tokens).map(({ hash: _hash, ...t }) => ({ ...t, expired: isExpired({ ...t, hash: '' }) }));
      if (options.json) printJson(tokens);
      else if (tokens.length === 0) print('No tokens. Create one: 1mcp auth token create --name <name>');
      else print(table(['NAME', 'TAGS', 'CREATED', 'EXPIRES'], tokens.map((t) => [t.name, t.tags?.join(',') ?? '(all)', t.created.slice(0, 19), t.expires ? (t.expired ? color.red(`expired ${t.expires.slice(0, 19)}`) : t.expires.slice(0, 19)) : 'never'])));
      return 0;
    }
    case 'revoke': {
      if (!name) throw new UsageError('usage: 1mcp auth token revoke <name>');
      writeTokens(paths.tokensJson, paths.backups, (tokens) => {
        if (!ownEntry(tokens, name)) throw new OneMcpError(`no token named "${name}"; see "1mcp auth token list"`);
        delete tokens[name];
      });
      print(`Revoked ${color.bold(name)}. A running serve refuses it from now on.`);
      return 0;
    }
    default:
      throw new UsageError(`usage: 1mcp auth token create|list|revoke`);
  }
}

export function run(argv: string[]): Promise<number> {
  return runGroup('1mcp auth', argv, [
    {
      name: 'approve <code>',
      description: 'Approve a waiting OAuth client (serve --enable-auth oauth) with the code serve printed; then press Allow on its consent page',
      action: async (args, options) => (await import('./auth-oauth.ts')).approve(args, options),
      options: [{ flags: '--tags <a,b>', description: 'The tags it may see (default: those it asked for)', env: false }],
    },
    {
      name: 'clients <action> [client]',
      description: 'OAuth clients of serve --enable-auth oauth: list [--json] | revoke <client>',
      action: async (args, options) => (await import('./auth-oauth.ts')).clients(args, options),
      options: [{ flags: '--json', description: 'Machine-readable output (list)', env: false }],
    },
    {
      name: 'token <action> [name]',
      description: 'create [--name n] [--tags a,b] [--expires 30d] | list | revoke <name>',
      action: token,
      options: [
        { flags: '--name <name>', description: 'Name of the token (create)', env: false },
        { flags: '--tags <a,b>', description: 'Only servers with one of these tags (create)', env: false },
        { flags: '--expires <duration>', description: 'Lifetime such as 30d, 12h (create)', env: false },
        { flags: '--json', description: 'Machine-readable output (list)', env: false },
      ],
    },
  ]);
}
