/**
 * An append-only file of lines, owner-only (0600, never through a symlink), rotated by size while it
 * is written: before a write would take it past `maxBytes`, `path` becomes `path.1` (… up to
 * `path.<keep>`) and a new file starts. Lines written in the same tick go out in one write.
 *
 * `inPlace`: for a file that another descriptor also appends to (serve's own stderr under
 * `1mcp start`), rotation copies it to `path.1` and truncates it instead of renaming it, so that
 * descriptor keeps writing into the live `path` (appends land at the new end).
 */
import { chmodSync, closeSync, constants, copyFileSync, fstatSync, ftruncateSync, writeSync } from 'node:fs';
import { openLogFile, shiftLogFiles } from './detach.ts';

export class RotatingFile {
  private fd: number;
  private size: number;
  private queue: string[] = [];
  private scheduled = false;
  private closed = false;

  /** Opens (or creates) the file now: a path that cannot be written fails here, with the system's reason. */
  constructor(
    readonly path: string,
    private readonly maxBytes: number,
    private readonly keep: number,
    private readonly onError: (error: Error) => void,
    private readonly inPlace = false,
  ) {
    this.fd = openLogFile(path);
    this.size = fstatSync(this.fd).size;
  }

  /** Queue one line (its newline included); written on the next turn of the event loop. */
  write(line: string): void {
    if (this.closed) return;
    this.queue.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    const lines = this.queue;
    if (lines.length === 0) return;
    this.queue = [];
    try {
      // Someone else may have appended too (see inPlace): measure, do not just count our own bytes.
      this.size = fstatSync(this.fd).size;
      let chunk = '';
      let chunkBytes = 0;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line);
        if (this.size + chunkBytes + bytes > this.maxBytes && this.size + chunkBytes > 0) {
          this.append(chunk, chunkBytes);
          chunk = '';
          chunkBytes = 0;
          this.rotate();
        }
        chunk += line;
        chunkBytes += bytes;
      }
      this.append(chunk, chunkBytes);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private append(chunk: string, bytes: number): void {
    if (bytes === 0) return;
    writeSync(this.fd, chunk);
    this.size += bytes;
  }

  private rotate(): void {
    if (this.inPlace) return this.rotateInPlace();
    closeSync(this.fd);
    shiftLogFiles(this.path, this.keep);
    this.fd = openLogFile(this.path);
    this.size = 0;
  }

  private rotateInPlace(): void {
    shiftLogFiles(this.path, this.keep, { keepCurrent: true });
    // EXCL: never write through something planted at `.1` since the shift.
    copyFileSync(this.path, `${this.path}.1`, constants.COPYFILE_EXCL);
    if (process.platform !== 'win32') chmodSync(`${this.path}.1`, 0o600);
    ftruncateSync(this.fd, 0);
    this.size = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
