// `npm run bench`: every benchmark, a table of results, and bench-results.json for the record.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { benchIntake } from './intake.bench.js';
import { benchDispatch } from './dispatch.bench.js';
import type { BenchResult } from './stats.js';

const benches: Array<[string, () => Promise<BenchResult[]>]> = [
  ['intake', () => benchIntake()],
  ['dispatch', () => benchDispatch()],
  ['ui-api', async () => (await import('./ui-api.bench.js')).benchUiApi()],
  ['artifacts', async () => (await import('./artifacts.bench.js')).benchArtifacts()],
  ['vm', async () => (await import('./vm.bench.js')).benchVm()],
];

const only = process.argv[2];
const results: BenchResult[] = [];
console.log(`gatehouse benchmarks on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
for (const [name, run] of benches) {
  if (only && only !== name) continue;
  console.log(`\n## ${name}`);
  for (const r of await run()) {
    results.push(r);
    const verdict = r.ok === undefined ? '' : r.ok ? '  ok' : '  MISSED';
    console.log(`${r.name.padEnd(52)} ${String(r.value).padStart(10)} ${r.unit}${r.target ? `  (target ${r.target})` : ''}${verdict}`);
  }
}
writeFileSync('bench-results.json', `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
process.exit(0);
