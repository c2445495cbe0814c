#!/usr/bin/env node
/**
 * Bundle the `a64el` command for start-up speed, after `tsc -p tsconfig.json` has built dist/
 * (npm run build, prepare and test run both). `node tools/build/bundle-cli.mjs --report` also lists
 * what the bundle holds.
 *
 * Why: `a64el run IMAGE` is a short process whose start-up is much of its time (docs/speed.md
 * "Start-up", issue #6). Unbundled, Node's ESM loader resolves, reads and compiles ~60 modules one by
 * one before the first instruction runs, and V8 compiles every function the run calls.
 *
 * What:
 * 1. src/cli/entry.ts and every module it reaches by static imports (the `run` path) become one
 *    script, dist/cli/a64el.bundle.cjs (esbuild, CommonJS shape: dist/cli/main.js, the bin, compiles
 *    it with node:vm, which is what lets it use a code cache). Every module loaded on demand
 *    (`import()`: vectors, scenarios, explore, bench, gdb...) stays a separate module: its import
 *    becomes `importModule('<its tsc output in dist/, relative to dist/cli/>')`, which main.js
 *    resolves. Rarely used commands cost nothing at start-up and keep their worker scripts and
 *    `import.meta.url` paths. entry.ts's own `import('./cli.js')` (the dispatcher) is inlined.
 * 2. dist/cli/a64el.bundle.cache: V8's code cache for the bundle, recorded by running
 *    `a64el run firmware-images/build/hvc-roundtrip.elf` through it, so the bytecode of what a run
 *    executes is not compiled again at each start. It carries the bundle's build id (a hash of its
 *    text, also the bundle's last line): main.js never applies it to another bundle.
 *
 * The bundle keeps tsc's semantics: esbuild reads tsconfig.json (ES2022 class fields, strict).
 * Packages (node_modules) stay external, resolved from dist/cli/ as the library resolves them.
 * If the cache cannot be recorded the build still succeeds (start-up is then slower) and says so.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');
const outDir = join(root, 'dist', 'cli');
const entry = join(src, 'cli', 'entry.ts');
const bundleFile = join(outDir, 'a64el.bundle.cjs');
const cacheFile = join(outDir, 'a64el.bundle.cache');
/** Dynamic imports from these modules are bundled (see above). */
const INLINE_DYNAMIC_FROM = new Set([entry]);

function fail(message) {
  console.error(`bundle-cli: ${message}`);
  process.exit(1);
}

if (!existsSync(join(outDir, 'main.js'))) fail('dist/cli/main.js is missing: run tsc -p tsconfig.json first');

/** `import()` of a module under src/ -> an external import of its tsc output in dist/, relative to dist/cli/. */
const onDemand = {
  name: 'a64el-on-demand',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== 'dynamic-import' || INLINE_DYNAMIC_FROM.has(args.importer)) return undefined;
      const target = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (!target.startsWith(src + sep)) {
        return { errors: [{ text: `dynamic import of ${args.path} from ${relative(root, args.importer)} leaves src/` }] };
      }
      let spec = relative(outDir, join(root, 'dist', relative(src, target))).replace(/\.ts$/, '.js').split(sep).join('/');
      if (!spec.startsWith('.')) spec = `./${spec}`;
      return { path: spec, external: true };
    });
  },
};

const result = await build({
  entryPoints: [entry],
  outfile: bundleFile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.json'),
  packages: 'external',
  plugins: [onDemand],
  // main.js passes the bundle's URL; cli.ts skips its "load every command" step (the bundle is the command).
  define: { 'import.meta.url': 'importMetaUrl', 'import.meta.a64elBundle': 'true' },
  sourcemap: 'linked',
  write: false,
  metafile: true,
  logLevel: 'silent',
  absWorkingDir: root,
});
// Any warning (an `import.meta` other than .url, which a script does not have...) is a broken bundle.
if (result.warnings.length > 0) fail(`esbuild warnings:\n${result.warnings.map((w) => `  ${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`).join('\n')}`);

// `import.meta.url` in a bundled module is the bundle's URL (dist/cli/): right only for modules that
// live in src/cli/ themselves (run.ts finds the demo image that way). Refuse anything else.
const misplaced = Object.keys(result.metafile.inputs)
  .filter((f) => f.startsWith('src/') && !f.startsWith('src/cli/') && /\bimport\.meta\b/.test(readFileSync(join(root, f), 'utf8')));
if (misplaced.length > 0) fail(`these modules use import.meta but are not in src/cli/, so they cannot be bundled (load them with import()): ${misplaced.join(', ')}`);

const js = result.outputFiles.find((f) => f.path === bundleFile);
const map = result.outputFiles.find((f) => f.path === `${bundleFile}.map`);
if (js === undefined || map === undefined) fail('esbuild wrote no bundle');
const meta = result.metafile.outputs[relative(root, bundleFile).split(sep).join('/')];
const onDemandSpecs = [...new Set(meta.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path))];

// A script has no import(): hand each on-demand import to main.js.
let text = js.text;
for (const spec of onDemandSpecs) {
  const call = `import(${JSON.stringify(spec)})`;
  if (!text.includes(call)) fail(`expected ${call} in the bundle`);
  text = text.split(call).join(`importModule(${JSON.stringify(spec)})`);
}
if (/(^|[^\w$.])import\s*\(/m.test(text)) fail('the bundle still contains import(...) that main.js cannot serve');
const buildId = createHash('sha256').update(text).digest('hex').slice(0, 32);
text += `\n//# a64el-build-id=${buildId}\n`;

/** Replace a file atomically: tests and other processes may be starting the command meanwhile. */
function replace(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}
rmSync(cacheFile, { force: true });
replace(`${bundleFile}.map`, map.contents);
replace(bundleFile, text);

// Record the code cache: one small run through the bundle (main.js writes it at exit).
const image = join(root, 'firmware-images', 'build', 'hvc-roundtrip.elf');
const rec = spawnSync(process.execPath, [join(outDir, 'main.js'), 'run', image], {
  env: { ...process.env, A64EL_WRITE_CODE_CACHE: `${cacheFile}.${process.pid}` },
  encoding: 'utf8',
  timeout: 120_000,
});
if (rec.status === 0 && existsSync(`${cacheFile}.${process.pid}`)) {
  renameSync(`${cacheFile}.${process.pid}`, cacheFile);
} else {
  rmSync(`${cacheFile}.${process.pid}`, { force: true });
  console.error(`bundle-cli: warning: no code cache (the recording run of ${relative(root, image)} ended with status ${rec.status}${rec.error ? `, ${rec.error.message}` : ''}); a64el starts without it\n${rec.stderr}`);
}

if (process.argv.includes('--report')) {
  for (const [file, { bytesInOutput }] of Object.entries(meta.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)) {
    console.log(`${String(bytesInOutput).padStart(8)}  ${file}`);
  }
  for (const i of meta.imports) console.log(`  imports ${i.path} (${i.kind})`);
  console.log(`bundle ${text.length} bytes, code cache ${existsSync(cacheFile) ? readFileSync(cacheFile).length : 0} bytes, build id ${buildId}`);
}
