/**
 * The `a64el` bin (package.json "bin": dist/cli/main.js) starts the command from one bundled script
 * with V8's code cache (tools/build/bundle-cli.mjs, src/cli/main.ts) so that `a64el run` starts fast
 * (docs/speed.md "Start-up", issue #6). These tests hold it to the command's contract as a user meets
 * it: started by absolute path from an unrelated directory (cwd = the system temp dir), every command
 * works, the ones loaded on demand included; the run path stays free of the vector-schema and
 * buffer-layout packages; a cache that is not the bundle's is never applied; output survives a reader
 * that goes away; without a bundle the same command runs from the modules.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const DIST_CLI = join(root, 'dist', 'cli');
const MAIN = join(DIST_CLI, 'main.js');
const BUNDLE = join(DIST_CLI, 'a64el.bundle.cjs');
const CACHE = join(DIST_CLI, 'a64el.bundle.cache');
const IMAGES = join(root, 'firmware-images', 'build');
const outside = tmpdir();

/** Run the bin as a process from `cwd` (default: outside the project). */
function a64el(args: string[], cwd = outside, main = MAIN, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const stackTrace = (text: string): boolean => /^\s+at .+[:(]/m.test(text);

beforeAll(() => {
  // The library build (tsc) provides the modules loaded on demand; the bundle is then made from the
  // current sources (writing it is atomic, so other tests starting the command are not disturbed).
  const node = (args: string[]): void => {
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  };
  if (!existsSync(join(DIST_CLI, 'entry.js'))) node([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  node([join(root, 'tools', 'build', 'bundle-cli.mjs')]);
}, 120_000);

describe('dist/cli/main.js starts one bundled script', () => {
  it('the bin imports only Node built-ins, and entry.js when there is no bundle', () => {
    const text = readFileSync(MAIN, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const statics = [...text.matchAll(/^import\s[^;]*?from\s*'([^']+)';?$/gm)].map((m) => m[1]!);
    expect(statics.length).toBeGreaterThan(0);
    for (const s of statics) expect(s, `static import ${s}`).toMatch(/^node:/);
    expect([...text.matchAll(/\bimport\('([^']+)'\)/g)].map((m) => m[1])).toEqual(['./entry.js']);
  });

  it('the bundle requires only Node built-ins; commands loaded on demand are modules of dist/', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(0);
    for (const r of required) expect(r, `require("${r}")`).toMatch(/^node:/);
    // In particular the vector schemas (ajv) and the FF-A buffer layouts are not on the run path.
    expect(text).not.toMatch(/"(ajv|@solana\/buffer-layout)"/);
    expect(text).not.toMatch(/(^|[^\w$.])import\s*\(/m);
    const onDemand = [...text.matchAll(/\bimportModule\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(onDemand).toEqual(expect.arrayContaining(['./vectors.js', './bench.js', './gdb.js', './scenarios.js', './explore.js']));
    for (const d of onDemand) {
      if (d.startsWith('node:')) continue;   // a built-in loaded late (node:child_process for --timeout)
      expect(existsSync(resolve(DIST_CLI, d)), `${d} next to dist/cli/main.js`).toBe(true);
    }
  });

  it('runs with the code cache recorded by the build', () => {
    const r = a64el(['run', join(IMAGES, 'hvc-roundtrip.elf')], outside, MAIN, { A64EL_STARTUP_REPORT: '1' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('a64el: start-up: bundle, code cache accepted\n');
  });

  describe('a cache that is not this bundle\'s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64el-startup-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    // The bin and the bundle alone (what `run` needs), as an ES module package.
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const setUp = (cache: Buffer): string => {
      copyFileSync(MAIN, join(dir, 'main.js'));
      copyFileSync(BUNDLE, join(dir, 'a64el.bundle.cjs'));
      writeFileSync(join(dir, 'a64el.bundle.cache'), cache);
      return join(dir, 'main.js');
    };
    const expected = (): string => readFileSync(join(root, 'firmware-images', 'expected', 'hvc-roundtrip.txt'), 'utf8');

    it('another build id: not applied (V8 would check only the length of the text)', () => {
      const good = readFileSync(CACHE);
      const nl = good.indexOf(10);
      const main = setUp(Buffer.concat([Buffer.from('0'.repeat(nl)), good.subarray(nl)]));
      const r = a64el(['run', join(IMAGES, 'hvc-roundtrip.elf')], outside, main, { A64EL_STARTUP_REPORT: '1' });
      expect(r.stderr).toBe('a64el: start-up: bundle, code cache none\n');
      expect(r.stdout).toBe(expected());
      expect(r.status).toBe(0);
    });

    it('this build id but data V8 refuses: compiled from source', () => {
      const good = readFileSync(CACHE);
      const nl = good.indexOf(10);
      const main = setUp(Buffer.concat([good.subarray(0, nl + 1), Buffer.alloc(4096, 0x5a)]));
      const r = a64el(['run', join(IMAGES, 'hvc-roundtrip.elf')], outside, main, { A64EL_STARTUP_REPORT: '1' });
      expect(r.stderr).toBe('a64el: start-up: bundle, code cache rejected\n');
      expect(r.stdout).toBe(expected());
      expect(r.status).toBe(0);
    });
  });

  it('a bundle older than tsc\'s output (tsc ran after the bundling step) is not used: the modules run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64el-stale-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
      cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') });
      const old = new Date(Date.now() - 3600_000);
      utimesSync(join(dir, 'dist', 'cli', 'a64el.bundle.cjs'), old, old);
      const r = a64el(['run', join(IMAGES, 'hvc-roundtrip.elf')], outside, join(dir, 'dist', 'cli', 'main.js'), { A64EL_STARTUP_REPORT: '1' });
      expect(r.stderr).toBe("a64el: start-up: modules (the bundle is older than tsc's output: npm run build)\n");
      expect(r.stdout).toBe(readFileSync(join(root, 'firmware-images', 'expected', 'hvc-roundtrip.txt'), 'utf8'));
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a bundle (the sources under a TypeScript runner) the same command runs from the modules', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'run', join(IMAGES, 'hvc-roundtrip.elf')], {
      cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, A64EL_STARTUP_REPORT: '1' },
    });
    expect(r.stderr).toBe('a64el: start-up: modules (no bundle)\n');
    expect(r.stdout).toBe(readFileSync(join(root, 'firmware-images', 'expected', 'hvc-roundtrip.txt'), 'utf8'));
    expect(r.status).toBe(0);
  });
});

describe('the bundled bin, started from outside the project', () => {
  it('run: prints what QEMU prints for the same image (firmware-images/expected) and exits with the guest code', () => {
    const r = a64el(['run', join(IMAGES, 'hvc-roundtrip.elf')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(join(root, 'firmware-images', 'expected', 'hvc-roundtrip.txt'), 'utf8'));
    expect(r.status).toBe(0);
  });

  it('run: a missing image is one line naming the file, exit status 2', () => {
    const r = a64el(['run', 'no-such-image.elf']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no-such-image.elf');
    expect(stackTrace(r.stderr)).toBe(false);
  });

  it('--timeout guard: the command runs in a child of the bundle and finishes normally', () => {
    const r = a64el(['--timeout', '60', 'run', join(IMAGES, 'el-drop.elf')]);
    expect(r.stdout).toBe(readFileSync(join(root, 'firmware-images', 'expected', 'el-drop.txt'), 'utf8'));
    expect(r.status).toBe(0);
  });

  it('vectors (loaded on demand): runs a directory of vectors', () => {
    const r = a64el(['vectors', join(root, 'docs', 'examples', 'vectors')]);
    expect(r.stdout).toMatch(/^[1-9][0-9]* passed, 0 failed$/m);
    expect(r.status).toBe(0);
  });

  it('scenarios --list (loaded on demand): lists the built-in boot orders', () => {
    const r = a64el(['scenarios', '--list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^v7\.1-rc2\s/m);
  });

  it('bench (loaded on demand): the start-up metric runs this very bin', () => {
    const r = a64el(['bench', '--only', 'startup-run', '--quick', '--no-peers', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { metrics: { name: string; value: number; unit: string }[] };
    expect(report.metrics.map((m) => m.name)).toEqual(['startup-run']);
    expect(report.metrics[0]!.unit).toBe('ms');
    expect(report.metrics[0]!.value).toBeGreaterThan(0);
  }, 120_000);

  it("npm start's command runs the boot-order scenarios and their comparison", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.bin['a64el']).toBe('dist/cli/main.js');
    const [node, script, ...args] = pkg.scripts['start']!.split(' ');
    expect([node, script]).toEqual(['node', 'dist/cli/main.js']);
    const r = a64el(args, root);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^=== v7\.1-rc2: /m);
    expect(r.stdout).toMatch(/^disagreements\s+\|/m);
  }, 120_000);

  it('output to a reader that has gone away (a64el ... | head) ends quietly with the guest status', async () => {
    const child = spawn(process.execPath, [MAIN, 'run', join(IMAGES, 'el-drop.elf')], { cwd: outside, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();   // the reader closes before the guest prints anything
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    expect(stackTrace(stderr)).toBe(false);
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});
