/**
 * Records the `tools/list` of real MCP servers from npm as fixture data for the search evaluation
 * (test/fixtures/catalog/<server>@<version>.json, read by scripts/eval.ts and test/unit/search*.test.ts).
 *
 *   npm install --prefix /tmp/catalog-servers --ignore-scripts <the packages in SERVERS below>
 *   bun scripts/record-catalog.ts [--prefix /tmp/catalog-servers] [--only github,memory]
 *
 * The packages live outside the project on purpose: they are data sources, not dependencies.
 * Each server is started over stdio with dummy credentials (they list their tools without calling
 * their APIs) and stopped right after the listing.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';

interface Source {
  /** The server key a user would give it in mcp.json; it becomes the exposed-name prefix. */
  server: string;
  pkg: string;
  args?: (scratch: string) => string[];
  env?: Record<string, string>;
}

// Left out: @modelcontextprotocol/server-redis connects before it answers initialize (hangs without a Redis).
const SERVERS: Source[] = [
  { server: 'filesystem', pkg: '@modelcontextprotocol/server-filesystem', args: (dir) => [dir] },
  { server: 'memory', pkg: '@modelcontextprotocol/server-memory', env: { MEMORY_FILE_PATH: 'memory.jsonl' } },
  { server: 'everything', pkg: '@modelcontextprotocol/server-everything', args: () => ['stdio'] },
  { server: 'github', pkg: '@modelcontextprotocol/server-github', env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'dummy' } },
  { server: 'gitlab', pkg: '@modelcontextprotocol/server-gitlab', env: { GITLAB_PERSONAL_ACCESS_TOKEN: 'dummy' } },
  { server: 'sequential-thinking', pkg: '@modelcontextprotocol/server-sequential-thinking' },
  { server: 'puppeteer', pkg: '@modelcontextprotocol/server-puppeteer' },
  { server: 'brave-search', pkg: '@modelcontextprotocol/server-brave-search', env: { BRAVE_API_KEY: 'dummy' } },
  { server: 'google-maps', pkg: '@modelcontextprotocol/server-google-maps', env: { GOOGLE_MAPS_API_KEY: 'dummy' } },
  { server: 'postgres', pkg: '@modelcontextprotocol/server-postgres', args: () => ['postgresql://dummy@127.0.0.1:1/dummy'] },
  { server: 'slack', pkg: '@modelcontextprotocol/server-slack', env: { SLACK_BOT_TOKEN: 'xoxb-dummy', SLACK_TEAM_ID: 'T0000' } },
  { server: 'everart', pkg: '@modelcontextprotocol/server-everart', env: { EVERART_API_KEY: 'dummy' } },
  {
    server: 'aws-kb',
    pkg: '@modelcontextprotocol/server-aws-kb-retrieval',
    env: { AWS_ACCESS_KEY_ID: 'dummy', AWS_SECRET_ACCESS_KEY: 'dummy', AWS_REGION: 'us-east-1' },
  },
  { server: 'playwright', pkg: '@playwright/mcp', args: () => ['--headless'] },
  { server: 'notion', pkg: '@notionhq/notion-mcp-server', env: { NOTION_TOKEN: 'dummy' } },
  { server: 'hubspot', pkg: '@hubspot/mcp-server', env: { PRIVATE_APP_ACCESS_TOKEN: 'dummy' } },
  // Added after the ranker was tuned, for the "unseen" split of queries.json (see scripts/eval.ts).
  { server: 'git', pkg: '@cyanheads/git-mcp-server', env: { MCP_TRANSPORT_TYPE: 'stdio', MCP_LOG_LEVEL: 'error' } },
  { server: 'desktop-commander', pkg: '@wonderwhy-er/desktop-commander' },
  { server: 'kubernetes', pkg: 'mcp-server-kubernetes' },
  { server: 'circleci', pkg: '@circleci/mcp-server-circleci', env: { CIRCLECI_TOKEN: 'dummy' } },
  { server: 'chart', pkg: '@antv/mcp-server-chart' },
  { server: 'firecrawl', pkg: 'firecrawl-mcp', env: { FIRECRAWL_API_KEY: 'fc-dummy' } },
  { server: 'context7', pkg: '@upstash/context7-mcp' },
];

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const prefix = arg('prefix') ?? '/tmp/catalog-servers';
const only = arg('only')?.split(',');
const outDir = join(import.meta.dir, '..', 'test', 'fixtures', 'catalog');

function packageInfo(pkg: string): { version: string; bin: string } {
  const dir = join(prefix, 'node_modules', pkg);
  const manifestPath = join(dir, 'package.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`${pkg} is not installed under ${prefix}: run npm install --prefix ${prefix} --ignore-scripts ${pkg}`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin as Record<string, string>)[0]!;
  return { version: manifest.version, bin: join(dir, bin) };
}

async function record(source: Source): Promise<void> {
  const { version, bin } = packageInfo(source.pkg);
  const scratch = mkdtempSync(join(tmpdir(), 'record-catalog-'));
  const transport = new StdioClientTransport({
    command: 'node',
    args: [bin, ...(source.args?.(scratch) ?? [])],
    env: { PATH: process.env.PATH ?? '', HOME: scratch, ...source.env },
    cwd: scratch,
    stderr: 'ignore',
  });
  const client = new Client({ name: 'record-catalog', version: '1.0.0' });
  try {
    await client.connect(transport, { timeout: 30_000 });
    const tools = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout: 30_000 });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    for (const old of readdirSync(outDir).filter((f) => f.startsWith(`${source.server}@`))) unlinkSync(join(outDir, old));
    const file = join(outDir, `${source.server}@${version}.json`);
    // Some servers describe the machine they run on (home folder, mounts): keep this machine out of the fixture.
    const text = JSON.stringify({ server: source.server, name: source.pkg, version, tools }, null, 2).replaceAll(homedir(), '/home/user');
    writeFileSync(file, `${text}\n`);
    console.log(`${source.server}@${version}: ${tools.length} tools`);
  } finally {
    await client.close().catch(() => {});
    rmSync(scratch, { recursive: true, force: true });
  }
}

mkdirSync(outDir, { recursive: true });
let failed = 0;
for (const source of SERVERS) {
  if (only && !only.includes(source.server)) continue;
  try {
    await record(source);
  } catch (error) {
    failed++;
    console.error(`${source.server}: ${(error as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);
