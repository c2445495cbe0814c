#!/usr/bin/env node
// Records the oracle outputs of the firmware images under QEMU 7.2 (Debian qemu-system-arm).
// For every build/NAME.elf it runs run-qemu.sh twice (-bios NAME.bin and -kernel NAME.elf),
// requires both runs to agree, and writes
//   firmware-images/expected/NAME.txt    the exact UART text
//   firmware-images/expected/NAME.json   {"exitCode": N}
//   test/vectors/images/NAME.json        an image vector (vector-format.md, "Image vectors")
// With --check it writes nothing and exits 1 if QEMU's output differs from expected/.
// Usage: node firmware-images/record-expected.mjs [--check] [NAME...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const args = process.argv.slice(2);
const check = args.includes('--check');
const names = args.filter((a) => !a.startsWith('--'));
const all = readdirSync(join(here, 'build'))
  .filter((f) => f.endsWith('.elf'))
  .map((f) => f.slice(0, -4))
  .sort();
const MAX_INSTRUCTIONS = 1_000_000;

function runQemu(name, kernel) {
  const argv = [join(here, 'run-qemu.sh'), ...(kernel ? ['--kernel'] : []), name];
  const r = spawnSync('bash', argv, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { uart: r.stdout, exitCode: r.status ?? -1, stderr: r.stderr };
}

/** The image's one-line summary: the first comment line of NAME.S after "NAME: ". */
function describe(name) {
  const src = readFileSync(join(here, `${name}.S`), 'utf8');
  const line = src.split('\n').find((l) => l.startsWith(`// ${name}:`)) ?? `// ${name}: firmware image`;
  return line.slice(`// ${name}:`.length).trim();
}

let bad = 0;
for (const name of names.length ? names : all) {
  const bios = runQemu(name, false);
  const kernel = runQemu(name, true);
  if (bios.uart !== kernel.uart || bios.exitCode !== kernel.exitCode) {
    console.error(`${name}: -bios and -kernel runs differ (exit ${bios.exitCode} vs ${kernel.exitCode})`);
    bad++;
    continue;
  }
  if (bios.exitCode === 124) {
    console.error(`${name}: QEMU timed out`);
    bad++;
    continue;
  }
  const txt = join(here, 'expected', `${name}.txt`);
  if (check) {
    const want = existsSync(txt) ? readFileSync(txt, 'utf8') : null;
    const wantExit = existsSync(txt) ? JSON.parse(readFileSync(join(here, 'expected', `${name}.json`), 'utf8')).exitCode : null;
    const ok = want === bios.uart && wantExit === bios.exitCode;
    console.log(`${ok ? 'ok  ' : 'DIFF'} ${name}`);
    if (!ok) bad++;
    continue;
  }
  mkdirSync(join(here, 'expected'), { recursive: true });
  writeFileSync(txt, bios.uart);
  writeFileSync(join(here, 'expected', `${name}.json`), JSON.stringify({ exitCode: bios.exitCode }) + '\n');
  const vector = {
    format: 'a64el-vector/1',
    name,
    description: describe(name),
    source: `firmware-images/${name}.S; oracle: QEMU 7.2 (firmware-images/expected/${name}.txt)`,
    image: `../../../firmware-images/build/${name}.elf`,
    maxInstructions: MAX_INSTRUCTIONS,
    expect: { exitCode: bios.exitCode, uart: bios.uart },
  };
  const vdir = join(root, 'test', 'vectors', 'images');
  mkdirSync(vdir, { recursive: true });
  writeFileSync(join(vdir, `${name}.json`), JSON.stringify(vector, null, 2) + '\n');
  console.log(`recorded ${name} (exit ${bios.exitCode}, ${bios.uart.split('\n').length - 1} lines)`);
  if (bios.exitCode !== 0) bad++;
}
process.exit(bad ? 1 : 0);
