/**
 * `1mcp trust <url>` / `trust --list` / `trust --remove <url>`: the serve URLs a project's `.1mcprc`
 * may point the proxy at besides loopback ones (docs/security.md). Approving a URL also lets a token
 * go there, but only over https or loopback.
 */
import { UsageError } from '../errors.ts';
import { addTrustedUrl, canonicalServeUrl, readTrustedUrls, removeTrustedUrl, tokenTransportProblem, trustFilePath } from '../config/trust.ts';
import { commandContext } from './context.ts';
import { color, note, print, printJson, table } from './output.ts';
import { runGroup } from './program.ts';

async function trust([url]: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  if (options.list) {
    if (url || options.remove) throw new UsageError('--list takes no URL; use "1mcp trust <url>" or "1mcp trust --remove <url>"');
    const urls = readTrustedUrls(paths.dir);
    if (options.json) printJson(urls);
    else if (urls.length === 0) print(`No approved URLs (${trustFilePath(paths.dir)}). Loopback URLs need no approval.`);
    else print(table(['URL', 'APPROVED'], urls.map((t) => [t.url, t.added])));
    return 0;
  }
  if (options.remove !== undefined) {
    if (url) throw new UsageError('give the URL once: 1mcp trust --remove <url>');
    if (options.remove === '') throw new UsageError('--remove needs the URL to forget');
    const canonical = canonicalServeUrl(options.remove);
    print(removeTrustedUrl(paths.dir, paths.backups, canonical) ? `No longer trusted: ${canonical}` : `${canonical} was not approved; nothing changed.`);
    return 0;
  }
  if (!url) throw new UsageError('name the URL to approve: 1mcp trust <url> (or --list, --remove <url>)');
  const canonical = canonicalServeUrl(url);
  const added = addTrustedUrl(paths.dir, paths.backups, canonical);
  print(added ? `Trusted: ${canonical} (a .1mcprc "url" may now point the proxy there)` : `${canonical} is already trusted; nothing changed.`);
  const problem = tokenTransportProblem(canonical);
  if (problem) note(color.yellow(`Note: no token will be sent there: ${problem}.`));
  return 0;
}

export function run(argv: string[]): Promise<number> {
  return runGroup('1mcp', ['trust', ...argv], [
    {
      name: 'trust [url]',
      description: 'Approve a serve URL that a project .1mcprc may point the proxy at (loopback URLs need no approval)',
      action: trust,
      options: [
        { flags: '--list', description: 'Show the approved URLs', env: false },
        { flags: '--remove <url>', description: 'Withdraw the approval of a URL', env: false },
        { flags: '--json', description: 'Machine-readable output (with --list)', env: false },
      ],
      examples: ['1mcp trust https://mcp.example.com/mcp', '1mcp trust --list', '1mcp trust --remove https://mcp.example.com/mcp'],
    },
  ]);
}
