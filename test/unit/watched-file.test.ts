/**
 * config/watched-file.ts: serve re-reads tokens.json and presets.json only when their modification
 * time moved. Times are set explicitly (utimesSync), so nothing here depends on the clock.
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mtimeCheck } from '../../src/config/watched-file.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

let tmp: TempDir;
let file: string;
beforeEach(() => {
  tmp = makeTempDir();
  file = join(tmp.path, 'tokens.json');
});
afterEach(() => tmp.cleanup());

const setMtime = (seconds: number) => utimesSync(file, seconds, seconds);

describe('mtimeCheck', () => {
  test('the first call reports a change, the next ones only when the time moves', () => {
    writeFileSync(file, '{}');
    setMtime(1_000_000);
    const check = mtimeCheck(file);
    expect(check.changed()).toBe(true);
    expect(check.changed()).toBe(false);
    writeFileSync(file, '{"a":1}');
    setMtime(1_000_000); // same time: not seen as a change (the file watcher covers this case)
    expect(check.changed()).toBe(false);
    setMtime(1_000_001);
    expect(check.changed()).toBe(true);
    expect(check.changed()).toBe(false);
    setMtime(999_999); // moved back (a restored backup) is a change too
    expect(check.changed()).toBe(true);
  });

  test('a missing file counts as one state: created and removed are changes', () => {
    const check = mtimeCheck(file);
    expect(check.changed()).toBe(true);
    expect(check.changed()).toBe(false);
    writeFileSync(file, '{}');
    setMtime(2_000_000);
    expect(check.changed()).toBe(true);
    rmSync(file);
    expect(check.changed()).toBe(true);
    expect(check.changed()).toBe(false);
  });

  test('two checks of one file are independent', () => {
    writeFileSync(file, '{}');
    setMtime(3_000_000);
    const a = mtimeCheck(file);
    const b = mtimeCheck(file);
    expect(a.changed()).toBe(true);
    expect(b.changed()).toBe(true);
    setMtime(3_000_001);
    expect(a.changed()).toBe(true);
    expect(b.changed()).toBe(true);
  });
});
