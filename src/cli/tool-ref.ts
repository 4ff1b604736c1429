/** `<server>/<tool>` as the agent commands take it; the tool part may itself hold slashes. */
import { UsageError } from '../errors.ts';

export function splitToolRef(ref: string): { server: string; tool?: string } {
  const slash = ref.indexOf('/');
  if (slash < 0) return { server: ref };
  const server = ref.slice(0, slash);
  const tool = ref.slice(slash + 1);
  if (!server || !tool) throw new UsageError(`"${ref}" is not <server>/<tool>; e.g. "1mcp inspect files/read_file"`);
  return { server, tool };
}
