/**
 * A view: which servers a client session sees (docs/protocol.md, docs/configuration.md). Built from tags, a filter expression
 * or a preset; evaluated against a server's tag set. `key` identifies equal views (for list caches).
 */
export interface View {
  key: string;
  /** A human description for logs and instructions. */
  label: string;
  includes(tags: readonly string[]): boolean;
}

export const EVERYTHING: View = { key: '*', label: 'all servers', includes: () => true };

/** A view that may change under a session (preset edited): resolved on every use. */
export interface ViewRef {
  current(): View;
}

export function fixedView(view: View): ViewRef {
  return { current: () => view };
}
