/**
 * A view: which servers a client session sees (docs/protocol.md, docs/configuration.md). Built from tags, a filter expression
 * or a preset; evaluated against a server's tag set. `key` identifies equal views (for list caches).
 */
import type { DiscoveryChoice } from './discovery.ts';

export interface View {
  key: string;
  /** A human description for logs and instructions. */
  label: string;
  includes(tags: readonly string[]): boolean;
  /**
   * How tools/list shows this view: every tool, or search mode (docs/configuration.md). Absent parts
   * fall back to serve's default (--discovery). Part of `key` (see withDiscovery), since the list differs.
   */
  discovery?: DiscoveryChoice;
}

export const EVERYTHING: View = { key: '*', label: 'all servers', includes: () => true };

/** A view that may change under a session (preset edited): resolved on every use. */
export interface ViewRef {
  current(): View;
}

export function fixedView(view: View): ViewRef {
  return { current: () => view };
}
