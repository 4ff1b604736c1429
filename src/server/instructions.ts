/**
 * The `instructions` a session receives (docs/protocol.md): how names are built, then each server in the
 * view with its own instructions. A template file may replace the layout:
 * {{servers}} expands to the per-server sections, {{serverNames}} to a comma list, {{count}} to the number.
 */
import type { Backend } from '../backends/backend.ts';

export function buildInstructions(backends: Backend[], template?: string): string {
  const sections = backends
    .filter((b) => b.instructions || b.config.description)
    .map((b) => `## ${b.name}\n${[b.config.description, b.instructions].filter(Boolean).join('\n\n')}`)
    .join('\n\n');
  if (template) {
    return template
      .replaceAll('{{servers}}', sections)
      .replaceAll('{{serverNames}}', backends.map((b) => b.name).join(', '))
      .replaceAll('{{count}}', String(backends.length));
  }
  const intro =
    `This endpoint (1mcp) gathers ${backends.length} MCP server${backends.length === 1 ? '' : 's'}: ${backends.map((b) => b.name).join(', ') || 'none yet'}. ` +
    'Tools and prompts are named <server>_1mcp_<name>; resources keep their own URIs.';
  return sections ? `${intro}\n\n${sections}` : intro;
}
