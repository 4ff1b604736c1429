/**
 * Arguments written into a Scheduled Task's command line must come back unchanged when Windows splits
 * it (the Microsoft C runtime's rules, implemented here independently), for seeded random arguments
 * made of the characters that matter: spaces, tabs, quotes and backslashes.
 */
import { expect, test } from 'bun:test';
import { windowsQuote } from '../../src/integrations/service/schtasks.ts';
import { seededRandom } from '../helpers/random.ts';

/** How the C runtime (msvcrt, 2008 and later) splits a command line into argv. */
function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; ) {
      const c = line[i]!;
      if (c === '\\') {
        let n = 0;
        while (line[i] === '\\') (n++, i++);
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) (arg += '"', i++);
        } else arg += '\\'.repeat(n);
      } else if (c === '"') {
        if (quoted && line[i + 1] === '"') (arg += '"', (i += 2));
        else (quoted = !quoted, i++);
      } else if (!quoted && (c === ' ' || c === '\t')) break;
      else (arg += c, i++);
    }
    args.push(arg);
  }
  return args;
}

test('known cases', () => {
  expect(windowsQuote('serve')).toBe('serve');
  expect(windowsQuote('')).toBe('""');
  expect(windowsQuote('C:\\Program Files\\1mcp\\')).toBe('"C:\\Program Files\\1mcp\\\\"');
  expect(windowsQuote('say "hi"')).toBe('"say \\"hi\\""');
  expect(splitWindowsCommandLine(['a b', 'c\\', '"', ''].map(windowsQuote).join(' '))).toEqual(['a b', 'c\\', '"', '']);
});

test('seeded random arguments survive the round trip', () => {
  const random = seededRandom(1405);
  const alphabet = ['a', 'Z', ' ', '\t', '"', '\\', '\\\\', ':', '%', 'é'];
  for (let round = 0; round < 2000; round++) {
    const args = Array.from({ length: 1 + Math.floor(random() * 4) }, () => Array.from({ length: Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    const line = args.map(windowsQuote).join(' ');
    expect(splitWindowsCommandLine(line)).toEqual(args);
  }
});
