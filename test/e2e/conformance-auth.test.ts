/**
 * The official MCP conformance suite's client auth scenarios against 1mcp as the OAuth client: for each
 * scenario the suite starts a protected MCP server and an authorization server, and
 * conformance-auth-client.ts plays the user (serve, `1mcp mcp auth --no-browser`, the browser's
 * redirects, a list and a call through serve). Every auth/* scenario that the 2025-11-25 and 2026-07-28
 * requirement sets require must pass with no failure and no warning, at that revision's wire version.
 * Extensions (client credentials, enterprise-managed authorization, DPoP, workload identity) are not
 * required by either revision and are not run: 1mcp logs in with the authorization-code flow only.
 */
import { expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUN_BIN, ROOT } from '../helpers/cli.ts';
import { e2eMode } from '../helpers/mode.ts';
import { assertAllGone, descendantsOf } from '../helpers/processes.ts';

const PACKAGE = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance');
const SUITE = join(PACKAGE, 'dist', 'index.js');
const HARNESS = `${BUN_BIN} ${join(import.meta.dir, 'conformance-auth-client.ts')}`;

interface Outcome {
  passed: number;
  failed: number;
  warnings: number;
}

/** The auth/* client scenarios a requirement set names (its `client:` list). */
function requiredAuthScenarios(revision: string): string[] {
  const yaml = readFileSync(join(PACKAGE, 'requirements', `${revision}.yaml`), 'utf8');
  const client = /^client:\n((?:\s+- .+\n)+)/m.exec(yaml)?.[1] ?? '';
  return [...client.matchAll(/- (auth\/\S+)/g)].map((m) => m[1]!);
}

/**
 * Run the suite (it needs Node 22: bun runs it); returns its output once it and everything it started
 * (harnesses, serve, backends, the CLI) are gone.
 */
async function runSuite(args: string[]): Promise<string> {
  // The harness starts serve and the CLI the way the e2e suites do (the binary when it is built).
  // 60 s per scenario (the suite's default is 30): a loaded CI machine starts serve and the CLI slowly.
  const child = spawn(BUN_BIN, [SUITE, 'client', ...args, '--timeout', '60000', '--command', HARNESS], { cwd: ROOT, env: { ...process.env, ONE_MCP_CLI: e2eMode() } });
  const seen = new Set<number>([child.pid!]);
  const tracker = setInterval(() => descendantsOf(child.pid!).forEach((pid) => seen.add(pid)), 50);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise((resolve) => child.on('exit', resolve));
  clearInterval(tracker);
  await assertAllGone([...seen]);
  return out;
}

/** `--suite auth`: one summary line per scenario. */
function suiteOutcomes(out: string): Map<string, Outcome> {
  const outcomes = new Map<string, Outcome>();
  for (const m of out.matchAll(/^[✓✗] (auth\/\S+): (\d+) passed, (\d+) failed(?:, (\d+) warnings)?$/gm)) {
    outcomes.set(m[1]!, { passed: Number(m[2]), failed: Number(m[3]), warnings: Number(m[4] ?? 0) });
  }
  return outcomes;
}

/** `--scenario`: "Passed: n/m, f failed, w warnings". */
function scenarioOutcome(out: string): Outcome | undefined {
  const m = /^Passed: (\d+)\/\d+, (\d+) failed, (\d+) warnings$/m.exec(out);
  return m ? { passed: Number(m[1]), failed: Number(m[2]), warnings: Number(m[3]) } : undefined;
}

async function checkRevision(revision: string): Promise<void> {
  const required = requiredAuthScenarios(revision);
  expect(required.length).toBeGreaterThan(10);
  // Those in the suite's "auth" group run in one parallel batch; the rest one by one, a few at a time.
  const suiteOut = await runSuite(['--suite', 'auth', '--spec-version', revision]);
  const outcomes = suiteOutcomes(suiteOut);
  const rest = required.filter((s) => !outcomes.has(s));
  const outputs = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 4) {
    await Promise.all(
      rest.slice(i, i + 4).map(async (scenario) => {
        const out = await runSuite(['--scenario', scenario, '--spec-version', revision]);
        outputs.set(scenario, out);
        const outcome = scenarioOutcome(out);
        if (outcome) outcomes.set(scenario, outcome);
      }),
    );
  }
  const bad = required.filter((s) => {
    const o = outcomes.get(s);
    return !o || o.failed > 0 || o.warnings > 0 || o.passed === 0;
  });
  if (bad.length) console.log(`${revision}: ${bad.join(', ')}\n${suiteOut.split('=== SUITE SUMMARY ===').at(-1)}\n${bad.map((s) => outputs.get(s)?.split('Test Results:').at(-1) ?? '').join('\n')}`);
  expect(bad).toEqual([]);
  const total = [...outcomes.values()].reduce((n, o) => n + o.passed, 0);
  console.log(`conformance auth ${revision}: ${required.length} scenarios, ${total} checks passed, 0 failed, 0 warnings`);
}

test('client auth scenarios of 2025-11-25: all pass (1mcp as the OAuth client, through serve and mcp auth)', async () => {
  await checkRevision('2025-11-25');
}, 180_000);

test('client auth scenarios of 2026-07-28: all pass, with the modern (stateless) protected server', async () => {
  await checkRevision('2026-07-28');
}, 180_000);
