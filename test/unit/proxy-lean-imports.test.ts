/**
 * `1mcp proxy` starts on the clock (a client waits about a second for it): its command module must not
 * pull in the MCP SDK or zod. Bundling src/cli/proxy.ts lists every module it loads.
 */
import { expect, test } from 'bun:test';
import { join } from 'node:path';

const ROOT = join(import.meta.dir, '..', '..');

test('the proxy command loads no package but cac: no MCP SDK, no zod', async () => {
  const built = await Bun.build({ entrypoints: [join(ROOT, 'src/cli/proxy.ts')], target: 'bun', metafile: true } as Parameters<typeof Bun.build>[0]);
  expect(built.success).toBe(true);
  const inputs = Object.keys((built as unknown as { metafile: { inputs: Record<string, unknown> } }).metafile.inputs);
  // Sanity: the relay itself is in there, so an empty list cannot pass by accident.
  expect(inputs).toContain('src/proxy/relay.ts');
  expect(inputs).toContain('src/proxy/http-leg.ts');
  const packages = new Set(inputs.filter((path) => path.includes('node_modules/')).map((path) => path.split('node_modules/').pop()!.split('/')[0]));
  expect([...packages]).toEqual(['cac']);
});
