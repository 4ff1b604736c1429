/**
 * Turn a request's view selector (docs/protocol.md) into a ViewRef: ?preset=, ?tags=, ?tag-filter= / ?filter=,
 * or the server default (serve --preset/--filter). Presets resolve live, so an edit reaches open sessions.
 * ?discovery= and ?pin= choose search mode for whichever view that is (docs/configuration.md).
 */
import { OneMcpError } from '../errors.ts';
import { parseDiscoveryMode, parsePins, withDiscovery, type DiscoveryChoice } from '../catalog/discovery.ts';
import { EVERYTHING, fixedView, type View, type ViewRef } from '../catalog/view.ts';
import type { Preset } from '../config/presets.ts';
import { parseTagList } from '../filter/index.ts';
import { compileFilter, compilePreset, viewOfTags } from './view-compile.ts';

export interface PresetSource {
  get(name: string): Preset | undefined;
  names(): string[];
}

export interface ViewSelector {
  preset?: string;
  tags?: string;
  filter?: string;
  /** ?discovery= and ?pin=: how the chosen view lists its tools; over a preset's own choice. */
  discovery?: DiscoveryChoice;
}

/** The request's view selector is wrong: the client's mistake (HTTP 400); ends `serve --preset`/`--filter` with exit 1. */
export class ViewError extends OneMcpError {
  override name = 'ViewError';
  constructor(message: string) {
    super(message, { httpStatus: 400 });
  }
}

export function selectorFromQuery(params: URLSearchParams): ViewSelector {
  const selector: ViewSelector = {};
  const named: string[] = [];
  // In the order the client wrote them, so the error names them as written.
  for (const [key, value] of params) {
    if (key === 'preset') selector.preset = value;
    else if (key === 'tags') selector.tags = value;
    else if (key === 'tag-filter' || key === 'filter') selector.filter = value;
    else if (key === 'discovery' || key === 'pin') {
      selector.discovery = { ...selector.discovery, ...discoveryParam(key, value) };
      continue;
    } else continue;
    if (!named.includes(key)) named.push(key);
  }
  if (named.length > 1) throw new ViewError(`choose one view selector, not ${named.map((n) => `"${n}"`).join(' and ')}`);
  return selector;
}

function discoveryParam(key: 'discovery' | 'pin', value: string): DiscoveryChoice {
  try {
    return key === 'discovery' ? { mode: parseDiscoveryMode(value, '?discovery=') } : { pin: parsePins(value, '?pin=') };
  } catch (error) {
    throw new ViewError((error as Error).message);
  }
}

/** A preset's own `discovery` and `pin`, when it has them. */
function presetDiscovery(preset: Preset): DiscoveryChoice | undefined {
  if (preset.discovery === undefined && preset.pin === undefined) return undefined;
  return { ...(preset.discovery !== undefined ? { mode: preset.discovery } : {}), ...(preset.pin !== undefined ? { pin: preset.pin } : {}) };
}

/** A ViewRef whose views carry `choice` on top of their own (memoised per inner view, so keys stay stable). */
function discoveryViewRef(inner: ViewRef, choice: DiscoveryChoice | undefined): ViewRef {
  if (!choice) return inner;
  let last: View | undefined;
  let chosen: View | undefined;
  return {
    current() {
      const view = inner.current();
      if (view !== last) {
        last = view;
        chosen = withDiscovery(view, choice);
      }
      return chosen!;
    },
  };
}

/** A preset view that follows edits of the preset (and becomes empty if it is deleted). */
export function presetViewRef(name: string, presets: PresetSource): ViewRef {
  let cachedFrom: Preset | undefined;
  let cached: View = EVERYTHING;
  return {
    current() {
      const preset = presets.get(name);
      if (!preset) return { key: `preset-gone:${name}`, label: `preset ${name} (deleted)`, includes: () => false };
      if (preset !== cachedFrom) {
        cachedFrom = preset;
        try {
          cached = withDiscovery(compilePreset(preset), presetDiscovery(preset));
        } catch {
          // A broken preset shows nothing rather than everything.
          cached = { key: `preset-invalid:${name}`, label: `preset ${name} (invalid)`, includes: () => false };
        }
      }
      return cached;
    },
  };
}

export function resolveView(selector: ViewSelector, presets: PresetSource, fallback: () => ViewRef): ViewRef {
  return discoveryViewRef(resolveServers(selector, presets, fallback), selector.discovery);
}

/** Which servers: the one selector given, else the fallback. */
function resolveServers(selector: ViewSelector, presets: PresetSource, fallback: () => ViewRef): ViewRef {
  if (selector.preset !== undefined) {
    if (!presets.get(selector.preset)) {
      const known = presets.names();
      throw new ViewError(`unknown preset "${selector.preset}"${known.length ? ` (known: ${known.join(', ')})` : '; create it with "1mcp preset create"'}`);
    }
    return presetViewRef(selector.preset, presets);
  }
  if (selector.tags !== undefined) {
    // An empty list would select nothing (or, read loosely, everything): neither is what was meant.
    if (parseTagList(selector.tags).length === 0) throw new ViewError(`?tags= names no tag; give at least one (?tags=files,web) or leave the parameter out for the default view`);
    return fixedView(viewOfTags(selector.tags));
  }
  if (selector.filter !== undefined) {
    if (selector.filter.trim() === '') throw new ViewError(`?tag-filter= (or ?filter=) is empty; give an expression (?tag-filter=files+local) or leave the parameter out for the default view`);
    return fixedView(compileFilter(selector.filter));
  }
  return fallback();
}

/** A view limited to servers carrying one of `tags` (a token's scope), whatever the client asked for. */
export function narrowToTags(inner: ViewRef, tags: string[]): ViewRef {
  const allowed = tags.map((t) => t.toLowerCase());
  const scope = (tagsOfServer: readonly string[]) => tagsOfServer.some((t) => allowed.includes(t.toLowerCase()));
  let last: View | undefined;
  let narrowed: View | undefined;
  return {
    current() {
      const view = inner.current();
      if (view !== last) {
        last = view;
        narrowed = {
          key: `${view.key}|scope:${allowed.join(',')}`,
          label: `${view.label} (token scope ${allowed.join(', ')})`,
          includes: (t) => scope(t) && view.includes(t),
          ...(view.discovery ? { discovery: view.discovery } : {}),
        };
      }
      return narrowed!;
    },
  };
}
