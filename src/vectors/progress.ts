/**
 * The progress bar of `a64el vectors` on a terminal: one line on stderr, rewritten in place.
 *
 *   [=========>          ] 12/40  10 passed  2 failed  0:03 ETA 0:07  test/vectors/ffa/direct/x.json
 *
 * It is drawn only on a terminal (isTTY, and TERM is not "dumb": the in-place update needs a
 * carriage return and the ECMA-48 "erase in line" control, CSI K). Every draw is `\r`, the line
 * (cut to the terminal width minus one column, so it never wraps), then CSI K to erase what a longer
 * previous line left; clearing is `\r` CSI K. Draws are throttled to one per `intervalMs` (100 ms:
 * 10 a second); an update inside the interval is kept and drawn by a timer when the interval ends
 * (or at the next update after it). A result line printed to a stream that shares the terminal is
 * printed with the bar cleared first and redrawn right after it (`result`), so lines and bar
 * never mix and the bar does not flicker.
 *
 * Our own ~100 lines rather than a library (cli-progress, log-update): they draw on one stream, while
 * here the bar (stderr) must step aside for result lines on another stream (stdout) that may share
 * the terminal, and a fake stream in the tests must see every byte written.
 */

/** What the bar writes to: process.stderr, or a stand-in with the same fields. */
export interface ProgressStream {
  isTTY?: boolean;
  /** Terminal width in columns (process.stderr.columns); 80 when unknown. */
  columns?: number;
  write(chunk: string): unknown;
}

/** Control sequences (ECMA-48): carriage return, then CSI K (erase from the cursor to the end of the line). */
export const CR = '\r';
export const ERASE_LINE = '\x1b[K';

/** Should a bar be drawn on `stream`? Only on a terminal that understands CSI K, and not with --no-progress. */
export function progressWanted(stream: ProgressStream | undefined, opts: { disabled?: boolean; term?: string | undefined } = {}): stream is ProgressStream {
  if (opts.disabled === true || stream === undefined || stream.isTTY !== true) return false;
  return opts.term !== 'dumb';
}

export interface ProgressOptions {
  /** Milliseconds between draws (default 100: at most 10 draws a second). */
  intervalMs?: number;
  /** Clock in milliseconds (tests pass a fake one). Default performance.now. */
  now?: () => number;
  /** Draw deferred updates and tick the elapsed time from a timer (default true; tests turn it off). */
  timer?: boolean;
}

/** m:ss, or h:mm:ss from an hour. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

export class ProgressBar {
  private done = 0;
  private passed = 0;
  private failed = 0;
  private current = '';
  private readonly t0: number;
  private lastDraw = -Infinity;
  /** The bar is on the screen (a later line must clear it first). */
  private shown = false;
  /** The text last drawn. */
  private drawn = '';
  /** Something changed since the last draw. */
  private dirty = true;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly interval: number;
  private readonly now: () => number;

  constructor(private readonly stream: ProgressStream, private readonly total: number, opts: ProgressOptions = {}) {
    this.interval = opts.intervalMs ?? 100;
    this.now = opts.now ?? (() => performance.now());
    this.t0 = this.now();
    if (opts.timer !== false) {
      // Deferred draws, and the elapsed time moving while a long vector runs (on worker threads the
      // main thread is free to run it). unref: the timer never keeps the process alive.
      this.timer = setInterval(() => { this.dirty = true; this.update(); }, this.interval);
      this.timer.unref();
    }
  }

  /** A vector file started (the bar names the latest one). */
  start(file: string): void {
    this.current = file;
    this.dirty = true;
    this.update();
  }

  /**
   * A vector finished. `printLine`, when given, prints its result line on a stream that shares the
   * terminal (stdout): the bar is cleared first and drawn again under the line at once (not
   * throttled: a bar left off until the next draw would flicker while lines stream; that is one
   * draw per line).
   */
  result(passed: boolean, printLine?: () => void): void {
    this.done++;
    if (passed) this.passed++; else this.failed++;
    this.dirty = true;
    if (printLine === undefined) { this.update(); return; }
    const was = this.shown;
    this.clear();
    printLine();
    this.update(was);
  }

  /** Draw now if something changed and the throttle allows (or `force`). */
  update(force = false): void {
    if (!this.dirty) return;
    const t = this.now();
    if (!force && t - this.lastDraw < this.interval) return;
    this.dirty = false;
    const text = this.line(t);
    if (this.shown && text === this.drawn) return;   // nothing visible changed
    this.lastDraw = t;
    this.drawn = text;
    this.shown = true;
    this.stream.write(`${CR}${text}${ERASE_LINE}`);
  }

  /** Remove the bar from the screen (the cursor is left at the start of the empty line). */
  clear(): void {
    if (!this.shown) return;
    this.shown = false;
    this.stream.write(`${CR}${ERASE_LINE}`);
  }

  /** The end: stop the timer and clear the bar. */
  finish(): void {
    if (this.timer !== null) { clearInterval(this.timer); this.timer = null; }
    this.clear();
  }

  /** The text of the bar at time `t`, cut to the terminal width less one column. */
  line(t: number): string {
    const cols = this.stream.columns ?? 0;   // 0 or absent: size unknown (a pty nobody sized)
    const width = Math.max(20, (cols > 0 ? cols : 80) - 1);
    const elapsed = t - this.t0;
    const eta = this.done === 0 ? '--:--' : clock((elapsed / this.done) * (this.total - this.done));
    const counts = `${this.done}/${this.total}  ${this.passed} passed  ${this.failed} failed  ${clock(elapsed)} ETA ${eta}`;
    const barWidth = width >= counts.length + 24 ? 20 : 0;
    let bar = '';
    if (barWidth > 0) {
      const filled = this.total === 0 ? barWidth : Math.floor((this.done / this.total) * barWidth);
      bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (filled === barWidth ? '=' : '>') : ''}${' '.repeat(barWidth - filled)}] `;
    }
    let text = `${bar}${counts}`;
    const room = width - text.length - 2;
    if (this.current !== '' && room >= 8) {
      const f = this.current.length <= room ? this.current : `...${this.current.slice(this.current.length - room + 3)}`;
      text += `  ${f}`;
    }
    return text.length > width ? text.slice(0, width) : text;
  }
}
