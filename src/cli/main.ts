#!/usr/bin/env node
/**
 * The `a64el` command (package.json "bin": dist/cli/main.js). It starts the command (entry.ts) in the
 * fastest form the build provides (docs/speed.md "Start-up"):
 *
 * - bundled (npm run build / prepare / test run tools/build/bundle-cli.mjs after tsc): entry.ts and
 *   every module it reaches statically are one script, dist/cli/a64el.bundle.cjs, compiled here with
 *   V8's code cache from dist/cli/a64el.bundle.cache (bytecode of the functions a small `a64el run`
 *   executes, recorded at build time). One read, one compile, no per-module resolution. Modules loaded
 *   on demand (the vectors, scenarios, explore, bench and gdb commands) stay tsc's modules in dist/:
 *   the bundle's `import()`s arrive here as `importModule(specifier)`, resolved next to this file.
 * - not bundled (tsc alone, or the sources under a TypeScript runner): entry.ts is imported as is.
 *
 * The bundle is used only when it is not older than this file: tsc rewrites main.js on every build,
 * so after a plain `tsc` (without the bundling step) the modules, which are current, run instead.
 * The cache is used only when it was recorded for this very bundle (the build id both carry) and V8
 * accepts it (same V8 version and flags); otherwise the bundle is compiled from source, as any script.
 */
import { createRequire } from 'node:module';

// Node's built-ins through require(): an ES import of node:fs builds its module facade, which reads
// every export, fs.ReadStream included, and so loads the stream modules for nothing.
const require = createRequire(import.meta.url);
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
const { fileURLToPath } = require('node:url') as typeof import('node:url');
const { Script } = require('node:vm') as typeof import('node:vm');

/** The bundle, its code cache, and the marker of the build id (the bundle's last line). */
const BUNDLE = new URL('./a64el.bundle.cjs', import.meta.url);
const CACHE = new URL('./a64el.bundle.cache', import.meta.url);
const BUILD_ID_MARK = '\n//# a64el-build-id=';
/**
 * Environment variables for the build and for diagnosis: write the code cache (after the run, to this
 * file); report on stderr whether the bundle and its cache were used.
 */
const WRITE_CACHE_ENV = 'A64EL_WRITE_CODE_CACHE';
const REPORT_ENV = 'A64EL_STARTUP_REPORT';

let source: string | undefined;
let stale = false;
try {
  stale = statSync(BUNDLE).mtimeMs < statSync(new URL(import.meta.url)).mtimeMs;
  if (!stale) source = readFileSync(BUNDLE, 'utf8');
} catch {
  // Not bundled: run tsc's modules.
}

if (source === undefined) {
  if (process.env[REPORT_ENV]) {
    process.stderr.write(`a64el: start-up: modules (${stale ? 'the bundle is older than tsc\'s output: npm run build' : 'no bundle'})\n`);
  }
  await import('./entry.js');
} else {
  runBundle(source);
}

/** Compile and run the bundle, with the code cache when it belongs to this bundle. */
function runBundle(text: string): void {
  const at = text.lastIndexOf(BUILD_ID_MARK);
  const buildId = at < 0 ? '' : text.slice(at + BUILD_ID_MARK.length).trim();
  // The cache file: "<build id>\n" then V8's data. V8 itself checks only its version, its flags and
  // the source's length, so the build id is what ties the cache to this bundle's text.
  let cachedData: Buffer | undefined;
  if (buildId !== '' && !process.env[WRITE_CACHE_ENV]) {
    try {
      const file = readFileSync(CACHE);
      const nl = file.indexOf(10);
      if (nl > 0 && file.toString('latin1', 0, nl) === buildId) cachedData = file.subarray(nl + 1);
    } catch {
      // No cache: compile from source.
    }
  }
  const filename = fileURLToPath(BUNDLE);
  // The bundle is CommonJS-shaped (esbuild format cjs): one function of these parameters. Its first
  // line is this one, so line numbers in stack traces are the bundle file's.
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, importMetaUrl, importModule) {${text}\n})`,
    cachedData === undefined ? { filename } : { filename, cachedData },
  );
  if (process.env[REPORT_ENV]) {
    const cache = cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'accepted';
    process.stderr.write(`a64el: start-up: bundle, code cache ${cache}\n`);
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(
    module.exports, createRequire(BUNDLE), module, filename, fileURLToPath(new URL('.', BUNDLE)),
    BUNDLE.href, (specifier: string) => import(new URL(specifier, BUNDLE).href),
  );
  const out = process.env[WRITE_CACHE_ENV];
  if (out) {
    // Build time (bundle-cli.mjs): after the run, the cache holds every function it compiled.
    process.on('exit', () => {
      writeFileSync(`${out}.tmp`, Buffer.concat([Buffer.from(`${buildId}\n`, 'latin1'), script.createCachedData()]));
      renameSync(`${out}.tmp`, out);
    });
  }
}
