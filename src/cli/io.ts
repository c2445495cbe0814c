/** A stream that may be a terminal (process.stdout / process.stderr, or a stand-in in tests). */
export interface TermStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

/** Where the CLI writes: stdout (guest console, results) and stderr (diagnostics, traces). */
export interface CliIo {
  out(chunk: string | Uint8Array): void;
  err(chunk: string | Uint8Array): void;
  /**
   * The streams behind `out` and `err` when they may be terminals (main.ts passes process.stdout
   * and process.stderr; absent when the CLI runs in-process): `vectors` draws its progress bar on
   * errStream when it is a TTY.
   */
  outStream?: TermStream;
  errStream?: TermStream;
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
