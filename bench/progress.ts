// One self-rewriting status line on stderr while the bench runs; silent when stderr is not a
// terminal (CI logs, pipes), so machine output stays clean.
export class Progress {
  private done = 0;
  private readonly started = performance.now();
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** Shows what is starting now. */
  show(what: string): void {
    if (!this.tty) return;
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = this.done > 0 ? ` ETA ${clock((elapsed / this.done) * (this.total - this.done))}` : "";
    const width = this.stream.columns ?? 100;
    const line = `[${String(this.done).padStart(String(this.total).length)}/${this.total}] ${clock(elapsed)}${eta}  ${what}`;
    this.stream.write(`\r${line.slice(0, width - 1).padEnd(width - 1)}`);
  }

  step(): void {
    this.done++;
  }

  /** Clears the line. */
  end(): void {
    if (this.tty) this.stream.write(`\r${" ".repeat((this.stream.columns ?? 100) - 1)}\r`);
  }
}

function clock(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
}
