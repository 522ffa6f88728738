/** Keeps the last lines a process printed, for failure messages. */
export class TailBuffer {
  readonly #lines: string[] = [];
  readonly #capacity: number;

  /** @param capacity lines kept (default 30). */
  constructor(capacity = 30) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.#capacity = capacity;
  }

  /** Adds one line, dropping the oldest beyond capacity. */
  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.#capacity) this.#lines.shift();
  }

  /** The kept lines, oldest first. */
  lines(): string[] {
    return [...this.#lines];
  }

  /** The kept lines indented for a message, or a note that there were none. */
  render(indent = '    '): string {
    return this.#lines.length === 0 ? `${indent}(no output)` : this.#lines.map((line) => indent + line).join('\n');
  }
}
