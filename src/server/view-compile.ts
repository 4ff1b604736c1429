/** Compile view selectors into View objects (interim: tags only until filter/ lands). */
import type { View } from '../catalog/view.ts';
import type { Preset } from '../config/presets.ts';
import { OneMcpError } from '../errors.ts';

export function parseTags(text: string): string[] {
  return text.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}

export function viewOfTags(text: string): View {
  const tags = parseTags(text);
  return { key: `tags:${tags.join(',')}`, label: `tags ${tags.join(', ')}`, includes: (serverTags) => serverTags.some((t) => tags.includes(t.toLowerCase())) };
}

export function compileFilter(expr: string): View {
  throw new OneMcpError(`filter expressions are not available yet: ${expr}`);
}

export function compilePreset(preset: Preset): View {
  throw new OneMcpError(`presets are not available yet: ${preset.name}`);
}
