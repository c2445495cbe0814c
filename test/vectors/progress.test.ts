/**
 * The progress bar of `a64el vectors` (src/vectors/progress.ts). The contract: on a terminal stderr
 * only, one line updated in place (CR, the text, then CSI K, ECMA-48 8.3.41 "erase in line", to wipe
 * what a longer earlier line left), at most one draw per 100 ms, cleared (CR CSI K) before a result
 * line that shares the terminal and drawn again under it, cleared at the end; never a byte when
 * stderr is not a TTY or with --no-progress. Checked with a stand-in stream and a fake clock, then
 * once through a real pseudo-terminal (util-linux `script`) with the built command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { CR, ERASE_LINE, ProgressBar, clock, progressWanted } from '../../src/vectors/progress.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIRECT = join(import.meta.dirname, 'ffa', 'direct');
const FILES = ['direct-req-64-echo.json', 'direct-req-32-echo.json', 'direct-req-el3-spmc.json'].map((f) => join(DIRECT, f));

/** A terminal stand-in that keeps every write. */
function fakeTty(columns = 100, isTTY = true): { isTTY: boolean; columns: number; writes: string[]; write(s: string): boolean } {
  const writes: string[] = [];
  return { isTTY, columns, writes, write(s: string) { writes.push(s); return true; } };
}

describe('ProgressBar', () => {
  it('draws in place, throttled to one draw per 100 ms, and clears at the end', () => {
    let now = 0;
    const tty = fakeTty(120);
    const bar = new ProgressBar(tty, 4, { now: () => now, timer: false });
    bar.start('a.json');                       // t=0: first draw
    now = 40; bar.result(true);                // inside the interval: not drawn
    now = 60; bar.start('b.json');             // still inside: not drawn
    expect(tty.writes).toHaveLength(1);
    now = 100; bar.result(false);              // interval over: drawn, with everything since
    now = 150; bar.update();                   // nothing new: no write
    now = 1500; bar.start('c.json');
    bar.finish();
    expect(tty.writes).toEqual([
      `${CR}[                    ] 0/4  0 passed  0 failed  0:00 ETA --:--  a.json${ERASE_LINE}`,
      `${CR}[=========>          ] 2/4  1 passed  1 failed  0:00 ETA 0:00  b.json${ERASE_LINE}`,
      `${CR}[=========>          ] 2/4  1 passed  1 failed  0:02 ETA 0:02  c.json${ERASE_LINE}`,
      `${CR}${ERASE_LINE}`,
    ]);
  });

  it('a result line sharing the terminal: bar cleared, the line, bar drawn again under it at once', () => {
    let now = 0;
    const tty = fakeTty(120);
    const seq: string[] = [];
    const term = { ...tty, write(s: string) { seq.push(`err:${JSON.stringify(s)}`); return true; } };
    const bar = new ProgressBar(term, 2, { now: () => now, timer: false });
    bar.start('a.json');
    now = 10; bar.result(true, () => seq.push('out:PASS a'));
    expect(seq).toEqual([
      `err:${JSON.stringify(`${CR}[                    ] 0/2  0 passed  0 failed  0:00 ETA --:--  a.json${ERASE_LINE}`)}`,
      `err:${JSON.stringify(`${CR}${ERASE_LINE}`)}`,
      'out:PASS a',
      `err:${JSON.stringify(`${CR}[=========>          ] 1/2  1 passed  0 failed  0:00 ETA 0:00  a.json${ERASE_LINE}`)}`,
    ]);
  });

  it('fits the terminal: never wider than columns - 1, the file name cut from the left', () => {
    const tty = fakeTty(60);
    const bar = new ProgressBar(tty, 300, { now: () => 0, timer: false });
    bar.start('test/vectors/ffa/some/very/long/directory/name/vector.json');
    const line = tty.writes[0]!.slice(CR.length, -ERASE_LINE.length);
    expect(line.length).toBeLessThanOrEqual(59);
    expect(line).toMatch(/^0\/300 {2}0 passed {2}0 failed {2}0:00 ETA --:-- {2}\.\.\..*vector\.json$/);
  });

  it('is wanted only on a TTY, not with --no-progress, not on TERM=dumb', () => {
    expect(progressWanted(fakeTty(80, true))).toBe(true);
    expect(progressWanted(fakeTty(80, false))).toBe(false);
    expect(progressWanted(undefined)).toBe(false);
    expect(progressWanted(fakeTty(80, true), { disabled: true })).toBe(false);
    expect(progressWanted(fakeTty(80, true), { term: 'dumb' })).toBe(false);
    expect(clock(0)).toBe('0:00');
    expect(clock(61_400)).toBe('1:01');
    expect(clock(3_725_000)).toBe('1:02:05');
  });
});

async function cli(argv: string[], errStream?: ReturnType<typeof fakeTty>, outStream?: ReturnType<typeof fakeTty>) {
  let out = '', err = '';
  const dec = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString());
  const io = {
    out: (c: string | Uint8Array) => { out += dec(c); }, err: (c: string | Uint8Array) => { err += dec(c); },
    ...(errStream === undefined ? {} : { errStream }), ...(outStream === undefined ? {} : { outStream }),
  };
  const status = await runCli(argv, io);
  return { status, out, err };
}

describe('a64el vectors and the bar', () => {
  it('on a terminal stderr: the bar is drawn there and cleared at the end; stdout gets only the report', async () => {
    const tty = fakeTty(120);
    const r = await cli(['vectors', ...FILES], tty, fakeTty(120, false));
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^PASS direct-req-64-echo .*\nPASS direct-req-32-echo .*\nPASS direct-req-el3-spmc .*\n3 passed, 0 failed\n$/);
    expect(r.out).not.toContain(CR);
    expect(tty.writes.length).toBeGreaterThan(1);
    for (const w of tty.writes) expect(w.startsWith(CR) && w.endsWith(ERASE_LINE), JSON.stringify(w)).toBe(true);
    expect(tty.writes.at(-1)).toBe(`${CR}${ERASE_LINE}`);
    expect(tty.writes.some((w) => / 3 passed {2}0 failed /.test(w) || / \d\/3 /.test(w))).toBe(true);
  }, 60_000);

  it('stdout on the same terminal: each result line comes with the bar cleared before it', async () => {
    const order: string[] = [];
    const err = fakeTty(120), out = fakeTty(120, true);
    err.write = (s: string) => { order.push(s === `${CR}${ERASE_LINE}` ? 'clear' : 'bar'); err.writes.push(s); return true; };
    let text = '';
    const status = await runCli(['vectors', ...FILES], {
      out: (c) => { text += String(c); order.push('line'); }, err: () => {}, errStream: err, outStream: out,
    });
    expect(status).toBe(0);
    // Every line printed while a bar was on the screen came right after a clear.
    let shown = false;
    for (const o of order) {
      if (o === 'line') expect(shown, order.join(' ')).toBe(false);
      shown = o === 'bar' ? true : o === 'clear' ? false : shown;
    }
    expect(order.at(-1)).toBe('line');   // the summary line, after the final clear
    expect(text).toMatch(/3 passed, 0 failed\n$/);
  }, 60_000);

  it('no bar: stderr not a TTY, or --no-progress (and the run stays synchronous)', async () => {
    const notTty = fakeTty(120, false);
    const status = runCli(['vectors', FILES[0]!], { out: () => {}, err: () => {}, errStream: notTty });
    expect(status).toBe(0);
    expect(notTty.writes).toEqual([]);
    const tty = fakeTty(120);
    const r = await cli(['vectors', FILES[0]!, '--no-progress'], tty);
    expect(r.status).toBe(0);
    expect(tty.writes).toEqual([]);
  }, 60_000);
});

// The built command under a real pseudo-terminal: `script` gives it a TTY for stdout and stderr.
const built = existsSync(join(ROOT, 'dist', 'cli', 'main.js')) && existsSync(join(ROOT, 'dist', 'vectors', 'progress.js'));
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
describe.skipIf(!built || !hasScript)('under a pseudo-terminal (script from util-linux)', () => {
  it('the built command draws the bar on the terminal, and not with --no-progress', () => {
    const cmd = (extra: string): string => execFileSync('script', ['-qec', `node dist/cli/main.js vectors ${DIRECT}${extra}`, '/dev/null'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, TERM: 'xterm', COLUMNS: '120' }, timeout: 120_000,
    });
    const withBar = cmd('');
    expect(withBar).toMatch(/\r\[[= >]{20}\] \d+\/\d+ {2}\d+ passed {2}\d+ failed {2}\d+:\d\d ETA /);
    expect(withBar).toContain(`${CR}${ERASE_LINE}`);
    expect(withBar).toMatch(/\d+ passed, 0 failed\r?\n$/);
    const noBar = cmd(' --no-progress');
    expect(noBar).not.toContain(ERASE_LINE);
    expect(noBar).toMatch(/\d+ passed, 0 failed\r?\n$/);
  }, 180_000);
});
