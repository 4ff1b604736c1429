/**
 * Writes of presets.json (docs/configuration.md), shared by `1mcp preset …` and the dashboard's /api/presets:
 * under the file's lock, starting from the current file (never from a broken one), with a backup.
 */
import { strategyOf, toTagQuery, type FilterAst } from '../filter/index.ts';
import type { ConfigPaths } from './paths.ts';
import { parsePresetsText, type Preset } from './presets.ts';
import { updateFile } from './safe-write.ts';

export function editPresetsFile(paths: Pick<ConfigPaths, 'presetsJson' | 'backups'>, edit: (presets: Record<string, Preset>) => void): void {
  updateFile(paths.presetsJson, paths.backups, (text) => {
    const file = parsePresetsText(text, paths.presetsJson);
    edit(file.presets);
    return `${JSON.stringify({ ...file, version: file.version ?? '1.0.0' }, null, 2)}\n`;
  });
}

/** A preset as stored: 1MCP's tagQuery/strategy for 1MCP, and the expression as the user typed it for us. */
export function storedPreset(name: string, expr: string, ast: FilterAst, description: string | undefined, created: string | undefined): Preset {
  const now = new Date().toISOString();
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    strategy: strategyOf(ast),
    tagQuery: toTagQuery(ast),
    filter: expr,
    created: created ?? now,
    lastModified: now,
  };
}
