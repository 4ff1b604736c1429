/**
 * Reading Prometheus text exposition (format 0.0.4) in tests, written from the format's description:
 *   parsePromText(text)          every sample: { name, labels, value }; HELP/TYPE lines checked for shape
 *   sampleValue(samples, name, labels)  the value of the one sample with exactly these labels (among others)
 *   promtoolCheck(text)          `promtool check metrics` (Debian's prometheus package): its output, or
 *                                undefined when promtool is not installed
 */
import { spawnSync } from 'node:child_process';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

export function parsePromText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (!/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) throw new Error(`line ${i + 1}: bad comment line: ${line}`);
      continue;
    }
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`line ${i + 1}: no metric name: ${line}`);
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      while (!rest.startsWith('}')) {
        const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(rest);
        if (!m) throw new Error(`line ${i + 1}: bad label at: ${rest}`);
        rest = rest.slice(m[0].length);
        let value = '';
        for (;;) {
          const c = rest[0];
          if (c === undefined) throw new Error(`line ${i + 1}: unterminated label value`);
          rest = rest.slice(1);
          if (c === '"') break;
          if (c === '\\') {
            const e = rest[0];
            rest = rest.slice(1);
            if (e === 'n') value += '\n';
            else if (e === '\\' || e === '"') value += e;
            else throw new Error(`line ${i + 1}: bad escape \\${e}`);
          } else value += c;
        }
        labels[m[1]!] = value;
        if (rest.startsWith(',')) rest = rest.slice(1);
      }
      rest = rest.slice(1);
    }
    const v = /^ (\S+)$/.exec(rest);
    if (!v) throw new Error(`line ${i + 1}: bad value: ${line}`);
    const value = v[1] === '+Inf' ? Infinity : v[1] === '-Inf' ? -Infinity : Number(v[1]);
    if (Number.isNaN(value) && v[1] !== 'NaN') throw new Error(`line ${i + 1}: bad number ${v[1]}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The value of the sample `name` whose labels include all of `labels`; undefined when none, throws when several. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Whether `promtool` can be run here (tests that need it are skipped, with this message, when not). */
export const HAS_PROMTOOL = spawnSync('promtool', ['--version']).error === undefined;
export const NO_PROMTOOL = 'promtool not installed (apt-get install -y prometheus): the in-test parser still checks the format';

export function promtoolCheck(text: string): { status: number; output: string } | undefined {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
