/**
 * `presets.json` (docs/configuration.md), in 1MCP's shape so either program reads the other's file.
 * We also keep the expression the user typed in `filter`. Parsing expressions lives in filter/.
 */
import { z } from 'zod';
import { OneMcpError, UsageError } from '../errors.ts';
import { parseJsonFile, readTextIfExists } from './json-text.ts';

export const PRESET_NAME = /^[A-Za-z0-9_-]{1,50}$/;

export const presetSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  strategy: z.enum(['or', 'and', 'advanced']).optional(),
  tagQuery: z.unknown().optional(),
  filter: z.string().optional(),
  /** Ours, not 1MCP's: search mode for this preset's view and the tools it keeps listed (docs/configuration.md). */
  discovery: z.enum(['search', 'auto', 'off']).optional(),
  pin: z.array(z.string()).optional(),
  created: z.string().optional(),
  lastModified: z.string().optional(),
});

export const presetsFileSchema = z.looseObject({
  version: z.string().optional(),
  presets: z.record(z.string(), presetSchema),
});

export type Preset = z.infer<typeof presetSchema>;
export type PresetsFile = z.infer<typeof presetsFileSchema>;

export function emptyPresetsFile(): PresetsFile {
  return { version: '1.0.0', presets: {} };
}

export function parsePresetsText(text: string | undefined, path: string): PresetsFile {
  if (text === undefined || text.trim() === '') return emptyPresetsFile();
  const value = parseJsonFile(text, path, { lenient: true });
  const parsed = presetsFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OneMcpError(`${path}: ${issue.path.map(String).join('.') || 'top level'}: ${issue.message}`);
  }
  // The parsed JSON itself, not zod's copy: zod rebuilds records with plain assignment, which
  // silently drops a preset named "__proto__" (the schema has no defaults or transforms to lose).
  return value as PresetsFile;
}

/** Names of the presets in the file (own entries only, so `constructor` is just a name). */
export function presetNames(file: PresetsFile): string[] {
  return Object.keys(file.presets);
}

/** For `serve --preset`: the name must exist now, or serve would start showing nothing. */
export function assertPresetExists(path: string, name: string): void {
  const file = readPresetsFile(path);
  if (Object.hasOwn(file.presets, name)) return;
  const known = presetNames(file);
  throw new UsageError(
    `unknown preset "${name}"${known.length ? ` (known: ${known.join(', ')})` : ` (${path} has none)`}; create it first with "1mcp preset create ${name} --filter <expr>"`,
  );
}

export function readPresetsFile(path: string): PresetsFile {
  return parsePresetsText(readTextIfExists(path), path);
}
