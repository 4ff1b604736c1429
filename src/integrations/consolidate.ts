/**
 * `1mcp app consolidate`: bring a client's servers into mcp.json (tagged with the client's name; the
 * same server from several clients once, with every tag; a different server under a taken name gets a
 * suffix, nothing is overwritten), then replace them in the client's files with one entry that starts
 * 1mcp. First a plan (pure: every new text computed and verified, nothing written), then apply:
 * originals saved for restore, mcp.json edited, each client file written with a backup.
 * See docs/clients.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseMcpText, validateMcpConfig, type RawMcpFile } from '../config/mcp-config.ts';
import { editMcpFile, getServers } from '../config/mcp-edit.ts';
import { SERVER_NAME } from '../config/mcp-schema.ts';
import { mcpFileText } from '../config/mcp-write.ts';
import { ownEntry, setOwnEntry } from '../config/own.ts';
import type { ConfigPaths } from '../config/paths.ts';
import { refuseSymlink, updateFile } from '../config/safe-write.ts';
import { OneMcpError } from '../errors.ts';
import { readRecord, saveOriginal, sha256, dropRecord, writeRecord, type AppRecord } from './app-backups.ts';
import { isOneMcpEntry, readClient, type ClientContext, type ClientDef, type FoundServer } from './clients/index.ts';
import { ONE_MCP_KEY, proxyEntry, rewriteClientText, type ProxyTarget, type Removal } from './clients/rewrite.ts';
import { sameServer } from './clients/same-server.ts';
import { isObject, type AppName, type ConfigFile } from './clients/shared.ts';

export interface FileChange {
  app: AppName;
  file: ConfigFile;
  /** The text the plan started from; undefined when the file does not exist yet. */
  before: string | undefined;
  after: string;
}

export interface ImportOutcome {
  app: AppName;
  /** The server's name in the client (and, for Claude Code's per-project servers, its folder). */
  from: string;
  project?: string;
  /** Its name in mcp.json. */
  name: string;
  /** imported: a new entry; renamed: a new entry under another name (the client's name was taken by a different server); tagged: the same server was there, the app's tag added; already: there with the tag. */
  action: 'imported' | 'renamed' | 'tagged' | 'already';
  created: boolean;
  notes: string[];
}

export interface Skipped {
  app: AppName;
  name: string;
  reason: string;
}

export interface Plan {
  apps: AppName[];
  targets: Partial<Record<AppName, ProxyTarget>>;
  imports: FoundServer[];
  outcomes: ImportOutcome[];
  skipped: Skipped[];
  files: FileChange[];
  mcpBefore: string | undefined;
  mcpAfter: string;
  /** Things to say once (an app that cannot use --http, …). */
  notes: string[];
}

/** A server a client runs that can live in mcp.json (not 1mcp itself, and with something to run). */
function importable(server: FoundServer): boolean {
  return !isOneMcpEntry(server.entry) && (typeof server.entry.command === 'string' || typeof server.entry.url === 'string');
}

/** A client's server name as an mcp.json name: other characters become '-', at most `max` long. */
function safeName(name: string, max = 50): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, max);
  return cleaned === '' || /^-+$/.test(cleaned) ? 'server' : cleaned;
}

function importEntry(server: FoundServer): Record<string, unknown> {
  const extra = Object.keys(server.extra).length > 0 ? { clientFields: server.extra } : {};
  return { ...server.entry, tags: [server.app], ...extra };
}

/**
 * Put `found` into `raw` (an mcp.json object, changed in place). Pure apart from that; the same
 * function plans and applies, so the dry run shows what the real run does.
 */
export function importServers(raw: RawMcpFile, found: FoundServer[]): ImportOutcome[] {
  const servers = getServers(raw) as Record<string, unknown>;
  const created = new Set<string>();
  return found.map((server) => {
    const base = safeName(server.name);
    const notes = [...server.notes];
    if (base !== server.name) notes.push(`"${server.name}" is not a valid mcp.json name (letters, digits, '_' or '-', at most 50); named "${base}"`);
    if (Object.keys(server.extra).length > 0) notes.push(`client-only fields kept under "clientFields": ${Object.keys(server.extra).join(', ')}`);
    const names = Object.keys(servers);
    const same = [base, ...names].find((n) => {
      const existing = ownEntry(servers, n);
      return isObject(existing) && sameServer(existing, server.entry);
    });
    const outcome = { app: server.app, from: server.name, ...(server.project ? { project: server.project } : {}) };
    if (same !== undefined) {
      const existing = servers[same] as Record<string, unknown>;
      const tags = Array.isArray(existing.tags) ? (existing.tags as string[]) : [];
      const had = tags.includes(server.app);
      if (!had) existing.tags = [...tags, server.app];
      return { ...outcome, name: same, action: had ? 'already' : 'tagged', created: created.has(same), notes };
    }
    let name = base;
    if (ownEntry(servers, name) !== undefined) {
      const suffix = `-${server.app}`;
      name = `${safeName(server.name, 50 - suffix.length - 3)}${suffix}`;
      for (let n = 2; ownEntry(servers, name) !== undefined; n++) name = `${safeName(server.name, 50 - suffix.length - 3)}${suffix}-${n}`;
      notes.unshift(`"${base}" in mcp.json is a different server; imported as "${name}"`);
    }
    setOwnEntry(servers, name, importEntry(server));
    created.add(name);
    return { ...outcome, name, action: name === base ? 'imported' : 'renamed', created: true, notes };
  });
}

export interface PlanOptions {
  ctx: ClientContext;
  paths: ConfigPaths;
  /** Each app's way to reach 1mcp. */
  targetFor: (client: ClientDef) => ProxyTarget;
  /** Named on the command line (an app with no config is an error), not chosen by --all (skipped). */
  named: boolean;
}

export function planConsolidate(clients: ClientDef[], options: PlanOptions): Plan {
  const plan: Plan = { apps: [], targets: {}, imports: [], outcomes: [], skipped: [], files: [], mcpBefore: undefined, mcpAfter: '', notes: [] };
  for (const client of clients) {
    const reports = readClient(client, options.ctx);
    const broken = reports.find((r) => r.error);
    if (broken) throw new OneMcpError(`${client.name}: ${broken.error}; fix that file (or leave ${client.name} out) and try again — nothing was changed`);
    const userFile = client.files(options.ctx).find((f) => f.scope === 'user')!;
    const userReport = reports.find((r) => r.path === userFile.path)!;
    const installed = reports.some((r) => r.found) || existsSync(dirname(userFile.path));
    if (!installed) {
      if (options.named) throw new OneMcpError(`${client.name}: no ${client.label} configuration found (looked for ${reports.map((r) => r.path).join(', ')}); is ${client.label} installed?`);
      continue;
    }
    plan.apps.push(client.name);
    const target = options.targetFor(client);
    plan.targets[client.name] = target;
    const entry = proxyEntry(client.name, target);
    for (const report of reports) {
      const isUser = report.path === userFile.path;
      if (!report.found && !isUser) continue;
      const removal: Removal = { names: [] };
      for (const server of report.servers) {
        if (importable(server)) {
          plan.imports.push(server);
          if (server.scope === 'local' && server.project) (removal.byProject ??= {})[server.project] = [...(removal.byProject?.[server.project] ?? []), server.name];
          else removal.names.push(server.name);
        } else if (isOneMcpEntry(server.entry)) {
          // Another copy of 1mcp's entry in the file that gets ours would start it twice.
          if (isUser && server.scope !== 'local' && server.name !== ONE_MCP_KEY) removal.names.push(server.name);
        } else {
          plan.skipped.push({ app: client.name, name: server.name, reason: server.notes.join('; ') || 'nothing to run' });
        }
      }
      if (!isUser && removal.names.length === 0 && !removal.byProject) continue;
      const before = report.found ? report.text : undefined;
      const after = rewriteClientText(report, before ?? '', removal, isUser ? entry : undefined);
      checkLeft(client, report, after, removal, isUser);
      // Found now rather than after mcp.json was written: client files are never written through links.
      if (after !== before) refuseSymlink(report.path);
      if (after !== before) plan.files.push({ app: client.name, file: { app: report.app, path: report.path, scope: report.scope }, before, after });
    }
    if (userReport.found === false) plan.notes.push(`${client.name}: ${userFile.path} does not exist yet; it is created with the 1mcp entry`);
  }
  planImport(plan, options.paths.mcpJson);
  return plan;
}

/**
 * The client, reading the new text as it will, finds exactly the servers meant to stay, plus 1mcp's in
 * the file that gets it: a second check, in the client's own terms, on top of the text editor's.
 */
function checkLeft(client: ClientDef, report: ConfigFile & { servers: FoundServer[] }, after: string, removal: Removal, isUser: boolean): void {
  const key = (s: { name: string; project?: string }) => `${s.project ?? ''}\u0000${s.name}`;
  const gone = new Set([...removal.names.map((name) => key({ name })), ...Object.entries(removal.byProject ?? {}).flatMap(([project, names]) => names.map((name) => key({ name, project })))]);
  const expected = new Set(report.servers.filter((s) => !gone.has(key(s))).map(key));
  if (isUser) expected.add(key({ name: ONE_MCP_KEY }));
  const left = new Set(client.read(after, report).map(key));
  if (left.size !== expected.size || [...expected].some((k) => !left.has(k))) {
    throw new OneMcpError(`${report.path}: the rewritten file would not hold the servers it should (1mcp and the ones not imported); nothing was changed — please report this`);
  }
}

/** mcp.json after the import, validated the way the real edit validates it. */
function planImport(plan: Plan, mcpJson: string): void {
  let text: string | undefined;
  try {
    text = readFileSync(mcpJson, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const read = () => (text === undefined ? ({ mcpServers: {} } as RawMcpFile) : parseMcpText(text, mcpJson));
  const before = read();
  validateMcpConfig(before, mcpJson, { substitute: false });
  const after = read();
  plan.outcomes = importServers(after, plan.imports);
  validateMcpConfig(after, mcpJson, { substitute: false });
  plan.mcpBefore = text;
  plan.mcpAfter = plan.outcomes.length > 0 ? mcpFileText(text, before, after, plan.notes) : (text ?? '');
}

export interface Applied {
  outcomes: ImportOutcome[];
  written: { app: AppName; path: string; backup?: string }[];
  mcpBackup?: string;
  notes: string[];
}

/**
 * Carry out a plan. Originals first (nothing is changed if they cannot be kept), then mcp.json, then
 * each client file — refused if it changed since the plan read it.
 */
export function applyConsolidate(plan: Plan, paths: ConfigPaths): Applied {
  const records = new Map<AppName, { record: AppRecord; isNew: boolean }>();
  for (const app of plan.apps) {
    const existing = readRecord(paths.dir, app);
    const record = existing ?? { app, files: [], imported: [] };
    for (const change of plan.files.filter((f) => f.app === app)) saveOriginal(paths.dir, record, change.file.path, change.before);
    records.set(app, { record, isNew: existing === undefined });
    if (record.files.length > 0) writeRecord(paths.dir, record);
  }
  const applied: Applied = { outcomes: [], written: [], notes: [] };
  try {
    if (plan.imports.length > 0) {
      const result = editMcpFile(paths.mcpJson, paths.backups, (raw) => ({ value: importServers(raw, plan.imports), touched: [] }));
      applied.outcomes = result.value;
      applied.mcpBackup = result.backup;
      applied.notes.push(...result.notes);
    }
  } catch (e) {
    // Nothing of the clients' was changed: a record made just now would only mislead a restore.
    for (const [app, { isNew }] of records) if (isNew) dropRecord(paths.dir, app);
    throw e;
  }
  for (const { app, name, created } of applied.outcomes) {
    const { record } = records.get(app)!;
    const known = record.imported.find((i) => i.name === name);
    if (known) known.created ||= created;
    else record.imported.push({ name, created });
  }
  for (const [, { record }] of records) if (record.files.length > 0 || record.imported.length > 0) writeRecord(paths.dir, record);
  for (const change of plan.files) {
    const { record } = records.get(change.app)!;
    const result = updateFile(change.file.path, join(paths.backups, change.app), (current) => {
      if (current !== change.before) throw new OneMcpError(`${change.file.path} changed while consolidate was running; it was left as it is now (the servers are already in mcp.json) — run "1mcp app consolidate ${change.app}" again`);
      return change.after;
    });
    const saved = record.files.find((f) => f.path === change.file.path)!;
    saved.written = sha256(change.after);
    writeRecord(paths.dir, record);
    applied.written.push({ app: change.app, path: change.file.path, ...(result.backup ? { backup: result.backup } : {}) });
  }
  return applied;
}
