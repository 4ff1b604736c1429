/**
 * How a view lists its tools (docs/configuration.md, "Search mode"): `off` lists every tool; `search`
 * lists the pinned tools plus the three meta-tools (search/meta-tools.ts); `auto` is search mode while the
 * view has more tools than serve's --discovery-threshold. Chosen per request (?discovery=, ?pin=), per
 * preset or .1mcprc (`discovery`, `pin`), or for the whole serve (--discovery). Pure, no I/O.
 */
import type { View } from './view.ts';

export type DiscoveryMode = 'search' | 'auto' | 'off';
export const DISCOVERY_MODES: readonly DiscoveryMode[] = ['search', 'auto', 'off'];
export const DEFAULT_DISCOVERY_THRESHOLD = 40;

/** What a request, preset or project file asks for; unset parts come from the next source. */
export interface DiscoveryChoice {
  mode?: DiscoveryMode;
  /** Exposed tool names kept directly visible in search mode. */
  pin?: readonly string[];
}

/** serve's own setting, used where nothing else chose. */
export interface DiscoveryDefaults {
  mode: DiscoveryMode;
  threshold: number;
}

export const DISCOVERY_OFF: DiscoveryDefaults = { mode: 'off', threshold: DEFAULT_DISCOVERY_THRESHOLD };

export function isDiscoveryMode(value: unknown): value is DiscoveryMode {
  return typeof value === 'string' && (DISCOVERY_MODES as readonly string[]).includes(value);
}

/** A mode as written by a person; `where` names the source for the error ("?discovery=", "--discovery"). */
export function parseDiscoveryMode(value: unknown, where: string): DiscoveryMode {
  if (isDiscoveryMode(value)) return value;
  throw new TypeError(`${where} must be search, auto or off (got ${JSON.stringify(value)})`);
}

/** Pins as a comma-separated list (query string) or an array (preset, .1mcprc); empty entries dropped. */
export function parsePins(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  if (!list) throw new TypeError(`${where} must be a list of tool names as tools/list shows them, e.g. ["files_1mcp_read_file"]`);
  return [...new Set(list.map((p) => p.trim()).filter(Boolean))];
}

/** `over` wins part by part: a request's ?discovery= keeps a preset's pins unless it names its own. */
export function mergeDiscovery(base: DiscoveryChoice | undefined, over: DiscoveryChoice | undefined): DiscoveryChoice | undefined {
  if (!over || (over.mode === undefined && over.pin === undefined)) return base;
  return { mode: over.mode ?? base?.mode, pin: over.pin ?? base?.pin };
}

/** The view with this discovery choice; the key says it, so list caches keep the two apart. */
export function withDiscovery(view: View, choice: DiscoveryChoice | undefined): View {
  const merged = mergeDiscovery(view.discovery, choice);
  if (merged === view.discovery) return view;
  return { ...view, key: `${view.key}${discoveryKey(choice)}`, discovery: merged };
}

export function discoveryKey(choice: DiscoveryChoice | undefined): string {
  if (!choice || (choice.mode === undefined && choice.pin === undefined)) return '';
  return `|discovery:${choice.mode ?? ''}:${(choice.pin ?? []).join(',')}`;
}

/** Whether a view with `tools` visible tools is listed in search mode. */
export function inSearchMode(choice: DiscoveryChoice | undefined, defaults: DiscoveryDefaults, tools: number): boolean {
  const mode = choice?.mode ?? defaults.mode;
  return mode === 'search' || (mode === 'auto' && tools > defaults.threshold);
}

/** Whether the meta-tools answer at all in this view (auto: also below the threshold, a client may race a switch). */
export function metaToolsEnabled(choice: DiscoveryChoice | undefined, defaults: DiscoveryDefaults): boolean {
  return (choice?.mode ?? defaults.mode) !== 'off';
}
