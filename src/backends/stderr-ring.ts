/** The last N lines a backend wrote to stderr (docs/design.md): always drained, never unbounded. */
export class StderrRing {
  private lines: string[] = [];
  private partial = '';
  /** Lines seen since this backend was created (/metrics). */
  total = 0;

  constructor(
    private readonly capacity = 200,
    private readonly maxLineChars = 2000,
    private readonly onLine?: (line: string) => void,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = (parts.pop() ?? '').slice(-this.maxLineChars);
    for (const raw of parts) {
      const line = raw.replace(/\r$/, '').slice(0, this.maxLineChars);
      this.lines.push(line);
      this.total++;
      this.onLine?.(line);
    }
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  tail(n = this.capacity): string[] {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n);
  }
}
