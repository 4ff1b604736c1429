/**
 * The budget report (docs/configuration.md, "Search mode"): `1mcp mcp tokens [server]` and the tool part
 * of `1mcp preset test <name>`. Per server and in total: tool count, estimated tokens of the tool list
 * sent directly and in search mode, and the well-known client limits the view exceeds. Figures come
 * from the running serve (what a client of the view is sent); without one the command says so, exit 3.
 */
import { budgetReport, type BudgetReport } from '../catalog/budget.ts';
import { readPresetsFile } from '../config/presets.ts';
import { UsageError } from '../errors.ts';
import { color, note, print, printJson, table } from './output.ts';
import { viewCatalog, type ViewServer } from './view-catalog.ts';
import { clientUrl, closeViewSession, openViewSession, resolveViewTarget, viewLabel, type ViewChoice, type ViewTarget } from './view-session.ts';

export interface BudgetResult {
  url: string;
  view: string;
  servers: (BudgetReport['servers'][number] & { state: string })[];
  total: BudgetReport['total'];
  limits: BudgetReport['limits'];
}

/** On a terminal, say what is happening while serve is asked (nothing when piped). */
function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${color.dim(text)}`);
}

/** The tools kept listed in search mode: `.1mcprc` pins, else the preset's (when it is in this config dir). */
function viewPins(vt: ViewTarget): string[] {
  if (vt.rcPins) return vt.rcPins;
  if (!vt.view.preset) return [];
  try {
    const presets = readPresetsFile(vt.paths.presetsJson).presets;
    const pin = Object.hasOwn(presets, vt.view.preset) ? (presets[vt.view.preset] as { pin?: unknown }).pin : undefined;
    return Array.isArray(pin) ? pin.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** Ask the running serve for the view's tools and measure them; `server` narrows to one server. */
export async function measureView(options: Record<string, any>, view?: ViewChoice, server?: string): Promise<BudgetResult> {
  const vt = await resolveViewTarget(options, view);
  progress(`Asking ${vt.url} for the tools of the ${viewLabel(vt.view)}…`);
  const client = await openViewSession(vt);
  let servers: ViewServer[];
  try {
    servers = (await viewCatalog(vt, client)).servers;
  } finally {
    progress('');
    await closeViewSession(client);
  }
  if (server !== undefined) {
    const one = servers.filter((s) => s.name === server);
    if (one.length === 0) {
      throw new UsageError(`no server named "${server}" in the ${viewLabel(vt.view)} (${servers.map((s) => s.name).join(', ') || 'it has none'})`);
    }
    servers = one;
  }
  const report = budgetReport(servers.map((s) => ({ server: s.name, tools: s.tools })), viewPins(vt));
  return {
    url: clientUrl(vt),
    view: viewLabel(vt.view),
    servers: report.servers.map((b, i) => ({ ...b, state: servers[i]!.state })),
    total: report.total,
    limits: report.limits,
  };
}

const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)} %` : '-');

/** The report as text: a table per server, the totals, then a warning per limit crossed (stderr). */
export function printBudget(result: BudgetResult): void {
  const { total } = result;
  print(
    table(
      ['SERVER', 'STATE', 'TOOLS', 'TOKENS', 'PINNED'],
      result.servers.map((s) => [s.server, s.state, String(s.tools), String(s.tokens.direct), s.pinned ? `${s.pinned} (${s.tokens.search} tokens)` : '-']),
    ),
  );
  print(`Tools: ${total.tools} (about ${total.tokens.direct} tokens of definitions, listed directly)`);
  const pinned = total.toolsInSearchMode - 3;
  print(`Search mode: ${total.toolsInSearchMode} tools (3 meta-tools${pinned ? ` + ${pinned} pinned` : ''}), about ${total.tokens.search} tokens (${percent(total.tokens.search, total.tokens.direct)} of the direct list)`);
  const crossed = result.limits.filter((l) => l.exceeded.direct || l.exceeded.search);
  print(`Client limits exceeded: ${crossed.length ? crossed.map((l) => `${l.client} (${l.kind === 'tools' ? `${l.max} tools` : `names over ${l.max} characters`})${l.exceeded.search ? '' : ' — not in search mode'}`).join('; ') : 'none'}`);
  for (const limit of crossed) {
    if (limit.kind === 'tools') {
      note(color.yellow(`warning: more than ${limit.max} tools (${limit.direct}) — ${limit.client} may refuse or degrade; narrow the view, or use search mode (?discovery=search lists ${limit.search}).`));
    } else {
      note(color.yellow(`warning: ${limit.names?.length ?? 0} tool name(s) over ${limit.max} characters (${limit.client} refuse them): ${(limit.names ?? []).slice(0, 3).join(', ')}`));
    }
  }
}

/** `1mcp mcp tokens [server]`. */
export async function tokens([server]: string[], options: Record<string, any>): Promise<number> {
  const result = await measureView(options, undefined, server);
  if (options.json) printJson(result);
  else {
    print(`${color.bold(result.view)} at ${result.url}`);
    printBudget(result);
  }
  return 0;
}
