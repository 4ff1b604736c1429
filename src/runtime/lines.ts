/**
 * Newline-delimited framing for stdio JSON-RPC. Chunks are kept in a list and joined once per line,
 * so a 20 MB message costs one copy (the SDK's reader concatenates per chunk: quadratic).
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside a line already reported as too long: its bytes are skipped up to its newline. */
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    /** A line longer than this is dropped and reported (a runaway peer must not eat all memory). */
    private readonly maxLineBytes = 256 * 1024 * 1024,
    private readonly onOverflow: (bytes: number) => void = () => {},
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.discarding) {
        // The end of the dropped line: its tail is not a message of its own.
        this.discarding = false;
        continue;
      }
      const bytes = this.pendingBytes + piece.length;
      if (bytes > this.maxLineBytes) {
        this.overflow(bytes);
        continue;
      }
      let line: string;
      if (this.pending.length > 0) {
        this.pending.push(piece);
        line = Buffer.concat(this.pending, bytes).toString('utf8');
        this.pending = [];
        this.pendingBytes = 0;
      } else line = piece.toString('utf8');
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.length > 0) this.onLine(line);
    }
    if (start < chunk.length && !this.discarding) {
      const rest = chunk.subarray(start);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxLineBytes) {
        this.overflow(this.pendingBytes);
        this.discarding = true;
        return;
      }
      // Copy: the caller may reuse the chunk's memory.
      this.pending.push(Buffer.from(rest));
    }
  }

  private overflow(bytes: number): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.onOverflow(bytes);
  }
}
