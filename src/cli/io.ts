/** Where the CLI writes: stdout (guest console, results) and stderr (diagnostics, traces). */
export interface CliIo {
  out(chunk: string | Uint8Array): void;
  err(chunk: string | Uint8Array): void;
}

/** Exit statuses of the CLI (documented in README.md "CLI"). */
export const EXIT_OK = 0;
/** Usage error, unreadable or invalid image or vector file. */
export const EXIT_USAGE = 2;
/** The guest reached --max-instructions without exiting (as timeout(1)). */
export const EXIT_BUDGET = 124;
/** The guest stopped without exiting for another reason (WFI with nothing to wake it...). */
export const EXIT_STOPPED = 125;

/**
 * Line-buffered byte sink: collects guest bytes and hands whole lines (and the rest on flush) to
 * `write`, so a chatty guest does not cost one write per byte.
 */
export class LineBuffer {
  private buf: number[] = [];
  constructor(private readonly write: (chunk: Uint8Array) => void) {}
  push = (b: number): void => {
    this.buf.push(b);
    if (b === 10 || this.buf.length >= 4096) this.flush();
  };
  flush(): void {
    if (this.buf.length === 0) return;
    this.write(Uint8Array.from(this.buf));
    this.buf = [];
  }
}
