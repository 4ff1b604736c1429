/**
 * The aggregated inventory (SPEC §4.2, §4.5, §4.7): exposed names for every backend's tools and
 * prompts, the URI → server map for resources, and per-view lists served from cache — a list
 * request never fans out to backends.
 */
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../backends/backend.ts';
import { exposedName, resourceAlias } from './names.ts';
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
  /** Bumped on every rebuild; sessions compare it to know their lists changed. */
  generation = 0;

  constructor(
    private readonly backends: () => Backend[],
    private readonly nameBudget = 53,
  ) {
    this.rebuild();
  }

  /** Recompute names and maps from the backends' caches (after a list change, state change or reload). */
  rebuild(): void {
    const built: Built = { tools: new Map(), prompts: new Map(), resources: new Map(), templates: [], problems: [] };
    for (const backend of this.backends()) {
      if (backend.state === 'disabled' || backend.state === 'stopped') continue;
      const { prefix, disabledTools } = backend.config;
      const hidden = new Set(disabledTools);
      const claim = <T>(map: Map<string, Route & { def: T }>, kind: string, original: string, def: T): string | undefined => {
        const name = exposedName(prefix, original, this.nameBudget);
        const taken = map.get(name);
        if (taken) {
          built.problems.push({ server: backend.name, message: `${kind} "${original}" is exposed as "${name}", which server "${taken.backend.name}" already uses; give one of them a "prefix"` });
          return undefined;
        }
        map.set(name, { backend, original, def });
        return name;
      };
      for (const tool of backend.lists.tools) {
        if (hidden.has(tool.name)) continue;
        claim(built.tools, 'tool', tool.name, tool);
      }
      for (const prompt of backend.lists.prompts) claim(built.prompts, 'prompt', prompt.name, prompt);
      for (const resource of backend.lists.resources) {
        const uri = built.resources.has(resource.uri) ? resourceAlias(prefix, resource.uri) : resource.uri;
        if (!built.resources.has(uri)) built.resources.set(uri, { backend, original: resource.uri, def: resource });
      }
      for (const template of backend.lists.resourceTemplates) {
        built.templates.push({ backend, def: template, matcher: templateMatcher(template.uriTemplate) });
      }
    }
    this.built = built;
    this.listCache.clear();
    this.generation++;
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
      const list = kind === 'tools' ? this.tools(view) : kind === 'prompts' ? this.prompts(view) : [...this.resources(view), ...this.resourceTemplates(view)];
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
