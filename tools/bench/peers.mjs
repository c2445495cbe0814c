#!/usr/bin/env node
// npm run bench:peers -- [--all] [--quick] [--reps N] [--json] [--write]
//
// Runs the benchmark images (firmware-images/bench/build: hvc-loop, smc-fwd, alu-loop) under QEMU
// (qemu-system-aarch64 -machine virt,secure=on,virtualization=on -cpu max ... -kernel X.elf) and
// under a64el (`a64el run X.elf`) in this one process: each emulator is timed as whole processes at
// two iteration counts N1 < N2 (best of --reps runs each) and the rate is (N2 - N1) / (t2 - t1), so
// start-up cancels out. Prints the table (a64el, QEMU, ratio, target) with the machine it ran on (CPU
// model from /proc/cpuinfo, Node, QEMU version, load average).
//   --all    also the in-process metrics of `a64el bench` (native paths, allocation, start-up)
//   --write  put the table into README.md ("Speed") and docs/speed.md, between the speed:table markers
//   --json   print the report as JSON instead
// Needs the build (npm run build): it drives dist/cli/bench.js and dist/cli/main.js.
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const benchJs = join(root, 'dist', 'cli', 'bench.js');
if (!existsSync(benchJs)) {
  process.stderr.write('peers.mjs: dist/cli/bench.js not found: run `npm run build` first\n');
  process.exit(2);
}
const { runBench, formatMetric } = await import(benchJs);

const { values } = parseArgs({
  options: {
    all: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    json: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});

const load0 = loadavg()[0];
const report = await runBench({
  quick: values.quick,
  peers: true,
  only: values.all ? null : ['hvc-image', 'smc-image', 'alu-image'],
  reps: values.reps === undefined ? 5 : Number(values.reps),
  log: (line) => process.stderr.write(`${line}\n`),
});
report.machine.load = `${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`;
if (report.machine.qemu === null) process.stderr.write('peers.mjs: qemu-system-aarch64 not found: no QEMU figures\n');

const f = (v) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const LABELS = {
  'hvc-pkvm': 'HVC round trip: EL1 loop -> pKVM (native EL2) -> ERET',
  'ffa-pkvm': 'FFA_MSG_SEND_DIRECT_REQ_64 round trip: host -> pKVM -> EL3 -> SPMC -> echo SP -> back',
  'ffa-direct': 'the same without pKVM (el2 none)',
  'hvc-image': 'hvc-loop.elf: HVC loop, interpreted A64 vector at EL2',
  'smc-image': 'smc-fwd.elf: TSC-trapped SMC forwarded by EL2 to EL3, A64 vectors',
  'alu-image': 'alu-loop.elf: 18-instruction ALU loop',
  'alloc-hvc-pkvm': 'allocation, 10M HVC round trips (pKVM)',
  'alloc-ffa-pkvm': 'allocation, 10M DIRECT_REQ_64 round trips (pKVM)',
  'alloc-hvc-image': 'allocation, 10M round trips of hvc-loop.elf',
  'alloc-smc-image': 'allocation, 10M round trips of smc-fwd.elf',
  'startup-run': '`a64el run` of a small image, whole process',
};
function table(r) {
  const m = r.machine;
  const lines = [
    `Measured ${m.date.slice(0, 10)} on ${m.cpu}, Node ${m.node} (V8 ${m.v8}), ${m.qemu ?? 'QEMU not available'}, ` +
      `${m.platform}; load average ${m.load ?? '?'} (a shared machine: best of several runs).`,
    '',
    '| metric | a64el | QEMU | ratio | target | met |',
    '|---|---|---|---|---|---|',
  ];
  for (const x of r.metrics) {
    const unit = x.unit === 'KB' ? ` KB (${x.note})` : ` ${x.unit}`;
    lines.push(`| ${LABELS[x.name] ?? x.name} | ${f(x.value)}${unit} | ${x.peer === undefined ? '' : `${f(x.peer)} ${x.unit}`} | ` +
      `${x.ratio === undefined ? '' : `${f(x.ratio)}x`} | ${x.target ?? ''} | ${x.met === undefined ? '' : x.met ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

const text = table(report);
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  for (const m of report.metrics) process.stdout.write(`${formatMetric(m)}\n`);
  process.stdout.write(`\n${text}\n`);
}

/** Replace what lies between the markers of `file` (they must exist), atomically. */
function writeBetween(file, begin, end, body) {
  const path = join(root, file);
  const old = readFileSync(path, 'utf8');
  const a = old.indexOf(begin), b = old.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file}: markers ${begin} ... ${end} not found`);
  const next = `${old.slice(0, a + begin.length)}\n${body}\n${old.slice(b)}`;
  writeFileSync(`${path}.tmp`, next);
  renameSync(`${path}.tmp`, path);
}
if (values.write) {
  const kind = values.all ? 'all' : 'peers';
  writeBetween('docs/speed.md', `<!-- speed:${kind}:begin -->`, `<!-- speed:${kind}:end -->`, text);
  if (kind === 'all') writeBetween('README.md', '<!-- speed:all:begin -->', '<!-- speed:all:end -->', text);
  process.stderr.write(`peers.mjs: table written to docs/speed.md${kind === 'all' ? ' and README.md' : ''}\n`);
}
