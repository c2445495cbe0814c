#!/usr/bin/env node
/**
 * The browser bundle of the public API (src/index.ts): one ES module, dist/browser/a64el.js
 * (`npm run bundle:browser`). esbuild with platform 'browser': a Node built-in anywhere in the
 * import graph fails the build (no shims, no externals), so the build itself checks that the core
 * imports nothing from Node. test/browser/bundle.test.ts builds it and runs vectors with it in
 * Chromium.
 */
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BROWSER_BUNDLE = join(ROOT, 'dist', 'browser', 'a64el.js');

/** Build the bundle into `outfile`; resolves with esbuild's result (warnings, metafile). */
export async function bundleBrowser(outfile = BROWSER_BUNDLE) {
  return build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'src', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    metafile: true,
    logLevel: 'silent',
    // @solana/buffer-layout reads `Buffer` from the `buffer` package (a dependency of it): the
    // browser build of that package is what gets bundled, not node:buffer.
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const r = await bundleBrowser();
    const bytes = Object.values(r.metafile.outputs).find((o) => o.entryPoint !== undefined)?.bytes ?? 0;
    process.stdout.write(`${BROWSER_BUNDLE}: ${(bytes / 1024).toFixed(0)} KiB, ${Object.keys(r.metafile.inputs).length} modules\n`);
  } catch (err) {
    // esbuild's messages name the file and line that pulled in what cannot be bundled.
    const errors = err && typeof err === 'object' && 'errors' in err ? err.errors : [];
    for (const e of errors) process.stderr.write(`${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}\n`);
    if (errors.length === 0) process.stderr.write(`bundle:browser: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
