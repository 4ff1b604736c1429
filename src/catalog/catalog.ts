/**
 * The aggregated inventory (docs/protocol.md): exposed names for every backend's tools and
 * prompts, the URI → server map for resources, and per-view lists served from cache — a list
 * request never fans out to backends.
 */
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../backends/backend.ts';
import { buildSearchIndex, type SearchEntry, type SearchIndex } from '../search/index.ts';
import { META_TOOL_NAMES, metaTools } from '../search/meta-tools.ts';
import { DISCOVERY_OFF, inSearchMode, metaToolsEnabled, type DiscoveryDefaults } from './discovery.ts';
import { buildNameTable, buildUriTable, DEFAULT_NAME_BUDGET, type NameTable } from './names.ts';
import type { View } from './view.ts';

export interface Route {
  backend: Backend;
  original: string;
}

export interface LoadProblem {
  server: string;
  message: string;
}

interface Built {
  tools: Map<string, Route & { def: Tool }>;
  prompts: Map<string, Route & { def: Prompt }>;
  /** exposed URI → route (original URI). */
  resources: Map<string, Route & { def: Resource }>;
  templates: { backend: Backend; def: ResourceTemplate; matcher: RegExp }[];
  problems: LoadProblem[];
}

export class Catalog {
  private built: Built = { tools: new Map(), prompts: new Map(), resources: new Map(), templates: [], problems: [] };
  private listCache = new Map<string, unknown[]>();
  /** Search indexes per view key (search mode), dropped with the lists on every rebuild. */
  private searchIndexes = new Map<string, SearchIndex>();

  /** Starts empty: rebuild() whenever the backends' lists or states change. */
  constructor(
    private readonly backends: () => Backend[],
    private readonly nameBudget = DEFAULT_NAME_BUDGET,
    /** serve --discovery / --discovery-threshold: how views that choose nothing list their tools. */
    readonly discoveryDefaults: DiscoveryDefaults = DISCOVERY_OFF,
  ) {}

  /** Recompute names and maps from the backends' caches (after a list change, state change or reload). */
  rebuild(): void {
    const built: Built = { tools: new Map(), prompts: new Map(), resources: new Map(), templates: [], problems: [] };
    const live = this.backends().filter((b) => b.state !== 'disabled' && b.state !== 'stopped');
    const byName = new Map(live.map((b) => [b.name, b]));
    const tools = live.map((b) => {
      const hidden = new Set(b.config.disabledTools);
      return { backend: b, defs: b.lists.tools.filter((t) => !hidden.has(t.name)) };
    });
    // Names are claimed in config order: on a collision the later server's entry is the load error.
    const claim = <T>(kind: string, lists: { backend: Backend; defs: T[] }[], key: (d: T) => string, table: NameTable, into: Map<string, Route & { def: T }>) => {
      const defs = new Map(lists.map(({ backend, defs }) => [backend.name, new Map(defs.map((d) => [key(d), d]))]));
      for (const [name, owner] of table.byExposed) {
        into.set(name, { backend: byName.get(owner.server)!, original: owner.original, def: defs.get(owner.server)!.get(owner.original)! });
      }
      for (const c of table.conflicts) {
        built.problems.push({ server: c.server, message: `${kind} "${c.original}" would be exposed as "${c.name}", which server "${c.conflictsWith}" already uses; give one of them a different "prefix"` });
      }
    };
    const namesOf = <T>(lists: { backend: Backend; defs: T[] }[], key: (d: T) => string) => lists.map(({ backend, defs }) => ({ server: backend.name, prefix: backend.config.prefix, names: defs.map(key) }));
    claim('tool', tools, (t) => t.name, buildNameTable(namesOf(tools, (t) => t.name), this.nameBudget), built.tools);
    // The meta-tools' names are 1mcp's own (any view may be in search mode): a bare backend tool with one of
    // them is a load problem, like any other collision, never a silent shadow either way.
    for (const name of META_TOOL_NAMES) {
      const taken = built.tools.get(name);
      if (!taken) continue;
      built.tools.delete(name);
      built.problems.push({ server: taken.backend.name, message: `tool "${taken.original}" would be exposed as "${name}", which 1mcp uses for search mode; give server "${taken.backend.name}" a "prefix"` });
    }
    const prompts = live.map((b) => ({ backend: b, defs: b.lists.prompts }));
    claim('prompt', prompts, (p) => p.name, buildNameTable(namesOf(prompts, (p) => p.name), this.nameBudget), built.prompts);
    const resources = live.map((b) => ({ backend: b, defs: b.lists.resources }));
    claim('resource', resources, (r) => r.uri, buildUriTable(namesOf(resources, (r) => r.uri).map(({ names, ...s }) => ({ ...s, uris: names }))), built.resources);
    for (const backend of live) {
      for (const template of backend.lists.resourceTemplates) {
        built.templates.push({ backend, def: template, matcher: templateMatcher(template.uriTemplate) });
      }
    }
    this.built = built;
    this.listCache.clear();
    this.searchIndexes.clear();
  }

  get problems(): LoadProblem[] {
    return this.built.problems;
  }

  private cached<T>(kind: string, view: View, make: () => T[]): T[] {
    const key = `${kind}\u0000${view.key}`;
    let list = this.listCache.get(key) as T[] | undefined;
    if (!list) {
      list = make();
      this.listCache.set(key, list);
    }
    return list;
  }

  tools(view: View): Tool[] {
    return this.cached('tools', view, () => {
      const out: Tool[] = [];
      for (const [name, route] of this.built.tools) if (view.includes(route.backend.config.tags)) out.push({ ...route.def, name });
      return out;
    });
  }

  /** Whether tools/list shows this view in search mode (its own choice, else serve's default). */
  searchMode(view: View): boolean {
    return inSearchMode(view.discovery, this.discoveryDefaults, this.tools(view).length);
  }

  /** Whether the meta-tools answer in this view (not when it, or serve's default, is `off`). */
  metaToolsEnabled(view: View): boolean {
    return metaToolsEnabled(view.discovery, this.discoveryDefaults);
  }

  /**
   * What tools/list shows: every tool of the view, or in search mode its pinned tools (those it can see,
   * in the order pinned) and the meta-tools.
   */
  listedTools(view: View): Tool[] {
    return this.cached('listed', view, () => {
      if (!this.searchMode(view)) return this.tools(view);
      const visible = new Map(this.tools(view).map((t) => [t.name, t]));
      const pinned = (view.discovery?.pin ?? []).map((name) => visible.get(name)).filter((t): t is Tool => !!t);
      return [...pinned, ...metaTools()];
    });
  }

  /** The search index over every tool the view can see (built on first search after a change). */
  searchIndex(view: View): SearchIndex {
    let index = this.searchIndexes.get(view.key);
    if (!index) {
      const entries: SearchEntry[] = [];
      for (const [name, route] of this.built.tools) {
        if (!view.includes(route.backend.config.tags)) continue;
        const { def } = route;
        const title = def.title ?? def.annotations?.title;
        entries.push({ name, server: route.backend.name, serverTags: route.backend.config.tags, ...(title ? { title } : {}), description: def.description, inputSchema: def.inputSchema });
      }
      index = buildSearchIndex(entries);
      this.searchIndexes.set(view.key, index);
    }
    return index;
  }

  /** A tool's definition as the view would list it (exposed name), or undefined when the view cannot see it. */
  toolDefinition(name: string, view: View): Tool | undefined {
    const route = this.built.tools.get(name);
    return route && view.includes(route.backend.config.tags) ? { ...route.def, name } : undefined;
  }

  prompts(view: View): Prompt[] {
    return this.cached('prompts', view, () => {
      const out: Prompt[] = [];
      for (const [name, route] of this.built.prompts) if (view.includes(route.backend.config.tags)) out.push({ ...route.def, name });
      return out;
    });
  }

  resources(view: View): Resource[] {
    return this.cached('resources', view, () => {
      const out: Resource[] = [];
      for (const [uri, route] of this.built.resources) if (view.includes(route.backend.config.tags)) out.push(uri === route.def.uri ? route.def : { ...route.def, uri });
      return out;
    });
  }

  resourceTemplates(view: View): ResourceTemplate[] {
    return this.cached('templates', view, () => this.built.templates.filter((t) => view.includes(t.backend.config.tags)).map((t) => t.def));
  }

  /** A compact fingerprint of a list as a view sees it: equal strings mean nothing changed. */
  signature(kind: 'tools' | 'prompts' | 'resources', view: View): string {
    const key = `sig:${kind}\u0000${view.key}`;
    let sig = this.listCache.get(key) as unknown as string | undefined;
    if (sig === undefined) {
      const list = kind === 'tools' ? this.listedTools(view) : kind === 'prompts' ? this.prompts(view) : [...this.resources(view), ...this.resourceTemplates(view)];
      sig = JSON.stringify(list);
      this.listCache.set(key, sig as unknown as unknown[]);
    }
    return sig;
  }

  tool(name: string, view: View): Route | undefined {
    const route = this.built.tools.get(name);
    return route && view.includes(route.backend.config.tags) ? route : undefined;
  }

  prompt(name: string, view: View): Route | undefined {
    const route = this.built.prompts.get(name);
    return route && view.includes(route.backend.config.tags) ? route : undefined;
  }

  /** A listed resource (either form of its URI), else the first template in view that matches. */
  resource(uri: string, view: View): Route | undefined {
    const listed = this.built.resources.get(uri);
    if (listed && view.includes(listed.backend.config.tags)) return listed;
    for (const t of this.built.templates) {
      if (view.includes(t.backend.config.tags) && t.matcher.test(uri)) return { backend: t.backend, original: uri };
    }
    // A URI a backend did not list (dynamic resources): the only backend in view with resources.
    const holders = this.backends().filter((b) => b.capabilities.resources && view.includes(b.config.tags) && b.state === 'connected');
    return holders.length === 1 ? { backend: holders[0]!, original: uri } : undefined;
  }

  /** Which backends a view includes (for instructions, logging, list_changed targeting). */
  backendsIn(view: View): Backend[] {
    return this.backends().filter((b) => b.state !== 'disabled' && view.includes(b.config.tags));
  }
}

/** RFC 6570 level-1 style matcher: each {var} matches one or more characters. */
export function templateMatcher(template: string): RegExp {
  const parts = template.split(/\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}$`);
}
