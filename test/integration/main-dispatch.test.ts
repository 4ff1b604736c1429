/**
 * src/main.ts builds `1mcp --help` and the dispatch from one table: every command the help lists
 * runs (its own --help answers), and a word that is only an Object property is an unknown command.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { runCli } from '../helpers/cli.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

let tmp: TempDir;
let env: Record<string, string>;
beforeAll(() => {
  tmp = makeTempDir();
  env = { ONE_MCP_CONFIG_DIR: tmp.path, HOME: tmp.path };
});
afterAll(() => tmp.cleanup());

describe('1mcp --help and dispatch', () => {
  test('every command listed by --help is dispatched (its --help exits 0)', async () => {
    const help = await runCli(['--help'], { env });
    expect(help.code).toBe(0);
    const commands = help.stdout
      .split('\n')
      .slice(help.stdout.split('\n').indexOf('Commands:') + 1)
      .filter((line) => line.startsWith('  '))
      .map((line) => line.trim().split(/\s+/)[0]!);
    expect(commands).toEqual(['serve', 'proxy', 'mcp', 'preset', 'setup', 'auth', 'trust', 'start', 'status', 'stop', 'restart', 'service', 'app', 'instructions', 'inspect', 'run', 'wait']);
    const results = await Promise.all(commands.map(async (c) => ({ c, r: await runCli([c, '--help'], { env }) })));
    for (const { c, r } of results) {
      expect({ c, code: r.code, unknown: r.stderr.includes('unknown command') }).toEqual({ c, code: 0, unknown: false });
    }
  });

  test('Object property names are unknown commands (exit 2, one line), not a crash', async () => {
    for (const word of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const r = await runCli([word], { env });
      expect({ word, code: r.code }).toEqual({ word, code: 2 });
      expect(r.stderr).toContain(`1mcp: unknown command "${word}"`);
    }
  });
});
