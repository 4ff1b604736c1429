/** The background serve's log file: size rotation before a start, owner-only mode, no symlink following. */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { chmodSync, closeSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openLogFile, rotateLog, tailOfFile } from '../../src/runtime/detach.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

let tmp: TempDir;
let log: string;
beforeEach(() => {
  tmp = makeTempDir('1mcp-detach-log-');
  log = join(tmp.path, 'logs', 'serve.log');
});
afterEach(() => tmp.cleanup());

test('a log below the limit is left alone; at the limit it moves to .1 and older ones shift, the oldest beyond 3 dropped', () => {
  expect(rotateLog(log, 10)).toBe(false); // no file yet
  closeSync(openLogFile(log));
  writeFileSync(log, '123456789');
  expect(rotateLog(log, 10)).toBe(false);
  expect(readFileSync(log, 'utf8')).toBe('123456789');

  for (const generation of ['a', 'b', 'c', 'd']) {
    writeFileSync(log, generation.repeat(10));
    expect(rotateLog(log, 10)).toBe(true);
    expect(existsSync(log)).toBe(false);
  }
  expect(readFileSync(`${log}.1`, 'utf8')).toBe('d'.repeat(10));
  expect(readFileSync(`${log}.2`, 'utf8')).toBe('c'.repeat(10));
  expect(readFileSync(`${log}.3`, 'utf8')).toBe('b'.repeat(10));
  expect(existsSync(`${log}.4`)).toBe(false);
});

test('opened for appending, 0600 in a 0700 folder; an existing looser file is tightened', () => {
  let fd = openLogFile(log);
  writeSync(fd, 'one\n');
  closeSync(fd);
  expect(statSync(log).mode & 0o777).toBe(0o600);
  expect(statSync(join(tmp.path, 'logs')).mode & 0o777).toBe(0o700);
  chmodSync(log, 0o644);
  fd = openLogFile(log);
  writeSync(fd, 'two\n');
  closeSync(fd);
  expect(readFileSync(log, 'utf8')).toBe('one\ntwo\n');
  expect(statSync(log).mode & 0o777).toBe(0o600);
});

test('a symbolic link planted at the log name is refused, its target untouched', () => {
  const target = join(tmp.path, 'elsewhere');
  writeFileSync(target, 'precious');
  closeSync(openLogFile(log));
  const linked = join(tmp.path, 'logs', 'linked.log');
  symlinkSync(target, linked);
  expect(() => openLogFile(linked)).toThrow(`refusing to write the log ${linked}: it is a symbolic link, and 1mcp does not write through links; remove it and try again`);
  expect(readFileSync(target, 'utf8')).toBe('precious');
});

test('the tail of what was written since an offset, CRLF or not', () => {
  writeFileSync(log.replace('logs/', ''), 'old line\r\nnew 1\r\nnew 2\nnew 3\n');
  const path = log.replace('logs/', '');
  expect(tailOfFile(path, 2)).toEqual(['new 2', 'new 3']);
  expect(tailOfFile(path, 10, 'old line\r\n'.length)).toEqual(['new 1', 'new 2', 'new 3']);
  expect(tailOfFile(path, 10, 1000)).toEqual([]);
  expect(tailOfFile(join(tmp.path, 'missing'), 3)).toEqual([]);
});
