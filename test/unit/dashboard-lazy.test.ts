/**
 * The dashboard adds nothing to serve's startup: in the npm bundle (built the way scripts/build.ts builds it),
 * the page's assets and the dashboard API sit in chunks that only a dynamic import() reaches — never in
 * the chunk holding the HTTP app, nor in anything that chunk imports statically.
 */
import { expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The chunks a file imports statically (`import … from "./x.js"`, `export … from`), not through import(). */
function staticImports(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const specs = [...code.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["'](\.[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((s) => join(file, '..', s));
}

test('the dashboard page and its API are loaded only on demand', async () => {
  const out = mkdtempSync(join(tmpdir(), '1mcp-lazy-'));
  try {
    const result = await Bun.build({
      entrypoints: [join(ROOT, 'src/main.ts')],
      outdir: out,
      target: 'node',
      format: 'esm',
      splitting: true,
      packages: 'external',
      naming: { entry: '1mcp.js', chunk: 'chunks/[name]-[hash].js' },
    });
    expect(result.success).toBe(true);
    const files = filesUnder(out).filter((f) => f.endsWith('.js'));
    const holding = (text: string) => files.filter((f) => readFileSync(f, 'utf8').includes(text));
    const [app] = holding('MCP clients connect to /mcp');
    const page = holding('Skip to content');
    const api = holding('this serve keeps no log to follow');
    expect(app).toBeDefined();
    expect(page.length).toBe(1);
    expect(api.length).toBe(1);

    // Everything the app's chunk pulls in statically, transitively.
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const next of staticImports(file)) visit(next);
    };
    visit(app!);
    expect(loaded.has(page[0]!)).toBe(false);
    expect(loaded.has(api[0]!)).toBe(false);
    // …and the app's chunk does reach them, through import().
    expect([...loaded].some((f) => /import\(["']\.[^"']+["']\)/.test(readFileSync(f, 'utf8')))).toBe(true);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);
