/** The unified diff `app consolidate --dry-run` prints. */
import { expect, test } from 'bun:test';
import { unifiedDiff } from '../../src/cli/text-diff.ts';

test('hunks with two lines of context; nearby changes share a hunk, distant ones do not', () => {
  const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
  expect(unifiedDiff(before, 'a\nb\nX\nd\ne\nf\ng\nh\ni\nj\nk\n', 'f')).toBe(['--- f', '+++ f', '@@ -1,5 +1,5 @@', ' a', ' b', '-c', '+X', ' d', ' e', '@@ -9,2 +9,3 @@', ' i', ' j', '+k'].join('\n'));
  expect(unifiedDiff(before, 'a\nB\nc\nD\ne\nf\ng\nh\ni\nj\n', 'f')).toBe(['--- f', '+++ f', '@@ -1,6 +1,6 @@', ' a', '-b', '+B', ' c', '-d', '+D', ' e', ' f'].join('\n'));
});

test('same texts give nothing; a new file counts from line 0; CRLF is shown as kept', () => {
  expect(unifiedDiff('x\n', 'x\n', 'f')).toBe('');
  expect(unifiedDiff('', 'x\ny\n', 'f')).toBe(['--- f', '+++ f', '@@ -0,0 +1,2 @@', '+x', '+y'].join('\n'));
  expect(unifiedDiff('a\r\nb\r\n', 'a\r\nc\r\n', 'f')).toBe(['--- f', '+++ f', '@@ -1,2 +1,2 @@', ' a', '-b', '+c', '(line endings: CRLF, kept)'].join('\n'));
});

test('a one-line change in a large file is one small hunk', () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
  const changed = [...lines];
  changed[10_000] = 'changed';
  expect(unifiedDiff(lines.join('\n'), changed.join('\n'), 'big').split('\n')).toEqual(['--- big', '+++ big', '@@ -9999,5 +9999,5 @@', ' line 9998', ' line 9999', '-line 10000', '+changed', ' line 10001', ' line 10002']);
});
