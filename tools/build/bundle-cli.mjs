#!/usr/bin/env node
/**
 * Bundle the `a64el` command (package.json "bin": dist/cli/main.js) into one ES module, after
 * `tsc -p tsconfig.json` has built dist/ (npm run build, prepare, test).
 *
 * Why: `a64el run IMAGE` is a short process whose start-up is most of its time (docs/speed.md,
 * issue #6). Unbundled, Node's ESM loader resolves, reads and compiles ~60 files one by one before the
 * first instruction runs; one file takes a single read and a single compile.
 *
 * What: src/cli/main.ts and everything it reaches by static imports (the `run` path) become
 * dist/cli/main.js, overwriting tsc's copy. Every module loaded on demand (`import()`: vectors,
 * scenarios, explore, bench, gdb...) stays a separate module: its import is rewritten to the tsc output
 * in dist/ (e.g. `import('./vectors.js')`, relative to dist/cli/), so rarely used commands still cost
 * nothing at start-up, and their worker scripts and `import.meta.url` paths are those of dist/ as
 * before. The one exception is main.ts's own `import('./cli.js')` (the command dispatcher), which is
 * inlined: it is deferred only so that the `--timeout` guard process does not evaluate it.
 *
 * The bundle keeps tsc's semantics: esbuild reads tsconfig.json (ES2022 class fields, strict ESM).
 * Packages (node_modules) stay external imports, resolved as the library resolves them.
 */
import { build } from 'esbuild';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');
const outDir = join(root, 'dist', 'cli');
const entry = join(src, 'cli', 'main.ts');
/** Dynamic imports from these modules are bundled (see above). */
const INLINE_DYNAMIC_FROM = new Set([entry]);

/** `import()` of a module under src/ -> an external import of its tsc output in dist/, relative to dist/cli/. */
const onDemand = {
  name: 'a64el-on-demand',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== 'dynamic-import' || INLINE_DYNAMIC_FROM.has(args.importer)) return undefined;
      const target = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (!target.startsWith(src + sep)) {
        return { errors: [{ text: `a64el bundle: dynamic import of ${args.path} from ${relative(root, args.importer)} leaves src/` }] };
      }
      let spec = relative(outDir, join(root, 'dist', relative(src, target))).replace(/\.ts$/, '.js').split(sep).join('/');
      if (!spec.startsWith('.')) spec = `./${spec}`;
      return { path: spec, external: true };
    });
  },
};

const outfile = join(outDir, 'main.js');
const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.json'),
  packages: 'external',
  plugins: [onDemand],
  sourcemap: 'linked',
  write: false,
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: root,
});

// `import.meta.url` in a bundled module is the bundle's URL (dist/cli/main.js): right only for modules
// that live in src/cli/ themselves (run.ts finds the demo image that way). Refuse anything else.
const misplaced = Object.keys(result.metafile.inputs)
  .filter((f) => f.startsWith('src/') && !f.startsWith('src/cli/') && /\bimport\.meta\b/.test(readFileSync(join(root, f), 'utf8')));
if (misplaced.length > 0) {
  console.error(`a64el bundle: these modules use import.meta but are not in src/cli/, so they cannot be bundled into dist/cli/main.js (load them with import()): ${misplaced.join(', ')}`);
  process.exit(1);
}

// Replace tsc's main.js (and its map) atomically: tests and other processes may be starting the
// command while this runs.
for (const f of result.outputFiles) {
  const tmp = `${f.path}.${process.pid}.tmp`;
  writeFileSync(tmp, f.contents);
  renameSync(tmp, f.path);
}

// `--report`: what the bundle holds, largest first, and what it still imports.
if (process.argv.includes('--report')) {
  const out = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  for (const [file, { bytesInOutput }] of Object.entries(out.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)) {
    console.log(`${String(bytesInOutput).padStart(8)}  ${file}`);
  }
  for (const i of out.imports) console.log(`  imports ${i.path} (${i.kind})`);
}
