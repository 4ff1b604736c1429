/**
 * The commands `1mcp app consolidate` and `1mcp app restore`: choosing apps, asking, printing. The work
 * is in integrations/consolidate.ts and integrations/restore.ts.
 */
import { UsageError } from '../errors.ts';
import { CLIENTS } from '../integrations/clients/index.ts';
import { selfProxyTarget, type ProxyTarget } from '../integrations/clients/rewrite.ts';
import { APP_NAMES, type AppName } from '../integrations/clients/shared.ts';
import { applyConsolidate, planConsolidate, type ImportOutcome, type Plan } from '../integrations/consolidate.ts';
import { hasRecord, restoreApp, type Restored } from '../integrations/restore.ts';
import { chosenClients, clientContext } from './app-clients.ts';
import { commandContext } from './context.ts';
import { color, confirm, isInteractive, note, print, printJson, table } from './output.ts';
import { verifiedServeOrigin } from './serve-origin.ts';
import { unifiedDiff } from './text-diff.ts';

function appsArgument(names: string[], options: Record<string, any>, what: string): void {
  if (options.all && names.length > 0) throw new UsageError(`name apps or pass --all, not both (got ${names.join(', ')} and --all)`);
  if (!options.all && names.length === 0) throw new UsageError(`name the apps to ${what} (${APP_NAMES.join(', ')}), or pass --all`);
}

function outcomeRows(outcomes: ImportOutcome[]): string[][] {
  return outcomes.map((o) => [o.app, o.project ? `${o.from} (${o.project})` : o.from, o.name, o.action, o.notes.join('; ')]);
}

function describePlan(plan: Plan, mcpJson: string): void {
  if (plan.outcomes.length > 0) {
    print(`Servers into ${mcpJson}:`);
    print(table(['APP', 'SERVER', 'IN MCP.JSON', 'RESULT', 'NOTES'], outcomeRows(plan.outcomes)));
  } else print(`No servers to import into ${mcpJson}.`);
  for (const s of plan.skipped) note(color.yellow(`${s.app}: "${s.name}" stays in the app: ${s.reason}`));
  for (const n of plan.notes) note(color.dim(n));
  if (plan.files.length > 0) {
    print('');
    print('Files to change (a backup of each is taken first; "1mcp app restore <app>" puts them back):');
    for (const f of plan.files) print(`  ${f.app}: ${f.file.path}${f.before === undefined ? ' (new)' : ''}`);
  }
}

export async function consolidate(names: string[], options: Record<string, any>): Promise<number> {
  appsArgument(names, options, 'consolidate');
  const { paths } = commandContext(options);
  const ctx = clientContext(options);
  const clients = options.all ? CLIENTS : chosenClients(names);
  const stdio = selfProxyTarget(paths.dir);
  let http: ProxyTarget | undefined;
  if (options.http) http = { kind: 'http', url: `${await verifiedServeOrigin(paths.pidFile, paths.dir)}/mcp` };
  const plan = planConsolidate(clients, {
    ctx,
    paths,
    named: !options.all,
    targetFor: (client) => (http && client.http ? http : stdio),
  });
  if (http) for (const client of clients.filter((c) => !c.http && plan.apps.includes(c.name))) plan.notes.push(`${client.name}: ${client.label} only starts stdio servers, so it gets the proxy, not the URL`);
  const diffs = [{ path: paths.mcpJson, diff: unifiedDiff(plan.mcpBefore ?? '', plan.mcpAfter, paths.mcpJson) }, ...plan.files.map((f) => ({ path: f.file.path, diff: unifiedDiff(f.before ?? '', f.after, f.file.path) }))].filter((d) => d.diff !== '');
  const summary = { apps: plan.apps, imports: plan.outcomes, skipped: plan.skipped, files: plan.files.map((f) => ({ app: f.app, path: f.file.path, created: f.before === undefined })), notes: plan.notes };

  if (plan.apps.length === 0) {
    if (options.json) printJson({ ...summary, changed: false });
    else print('No MCP client configuration found ("1mcp app list" shows where each is looked for); nothing changed.');
    return 0;
  }
  if (diffs.length === 0) {
    if (options.json) printJson({ ...summary, changed: false });
    else print(`${plan.apps.join(', ')} already ${plan.apps.length === 1 ? 'runs' : 'run'} through 1mcp; nothing to change.`);
    return 0;
  }
  if (options.dryRun) {
    if (options.json) printJson({ ...summary, dryRun: true, diffs });
    else {
      describePlan(plan, paths.mcpJson);
      for (const d of diffs) print(`\n${d.diff}`);
      print('\nDry run: nothing was changed.');
    }
    return 0;
  }
  if (!options.json) describePlan(plan, paths.mcpJson);
  if (!options.yes && isInteractive() && !(await confirm(`Consolidate ${plan.apps.join(', ')}?`))) {
    note('Nothing changed.');
    return 1;
  }
  const applied = applyConsolidate(plan, paths);
  if (options.json) {
    printJson({ ...summary, imports: applied.outcomes.length > 0 ? applied.outcomes : plan.outcomes, changed: true, written: applied.written, notes: [...plan.notes, ...applied.notes] });
    return 0;
  }
  for (const n of applied.notes) note(color.yellow(n));
  print('');
  for (const w of applied.written) print(`${w.app}: ${w.path} now starts 1mcp${w.backup ? color.dim(` (previous version: ${w.backup})`) : ''}`);
  const stdioApps = plan.apps.filter((a) => plan.targets[a]?.kind === 'stdio');
  if (stdioApps.length > 0) note(`Keep "1mcp serve" running ("1mcp start" runs it in the background): the proxy ${stdioApps.join(', ')} ${stdioApps.length === 1 ? 'starts' : 'start'} connects to it.`);
  note(`Undo with "1mcp app restore ${plan.apps.join(' ')}".`);
  return 0;
}

export async function restore(names: string[], options: Record<string, any>): Promise<number> {
  appsArgument(names, options, 'restore');
  const { paths } = commandContext(options);
  const apps: AppName[] = options.all ? APP_NAMES.filter((a) => hasRecord(paths, a)) : chosenClients(names).map((c) => c.name);
  if (apps.length === 0) {
    if (options.json) printJson([]);
    else print('No consolidated app to restore.');
    return 0;
  }
  if (!options.yes && isInteractive() && !(await confirm(`Put back the files of ${apps.join(', ')} as they were before consolidate${options.removeImported ? ', and remove their imported servers from mcp.json' : ''}?`))) {
    note('Nothing changed.');
    return 1;
  }
  const results: Restored[] = [];
  for (const app of apps) results.push(restoreApp(paths, app, { removeImported: !!options.removeImported, force: !!options.force }));
  if (options.json) {
    printJson(results);
    return 0;
  }
  for (const r of results) {
    for (const f of r.files) print(`${r.app}: ${f.path} ${f.action === 'restored' ? 'restored' : f.action === 'removed' ? 'removed (consolidate had created it)' : 'was already as before'}`);
    if (r.removed.length > 0) print(`${r.app}: removed from mcp.json: ${r.removed.join(', ')}`);
    if (r.untagged.length > 0) print(`${r.app}: kept in mcp.json (still used, or there before): ${r.untagged.join(', ')}`);
  }
  return 0;
}
