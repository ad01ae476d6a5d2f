// `npm run fuzz [-- --requests N --seed S]`: prints the report and exits 1 unless no forgery was
// accepted, no mutated delivery got a 5xx and no refused request wrote a row.
import { parseArgs } from 'node:util';
import { runWebhookFuzz } from './webhook-fuzz.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    flood: { type: 'string', default: '64' },
    kind: { type: 'string', multiple: true },
  },
});
const started = performance.now();
const report = await runWebhookFuzz({
  requests: Number(values.requests),
  floodConnections: Number(values.flood),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
  ...(values.kind ? { kinds: values.kind } : {}),
  log: (line) => console.log(`# ${line}`),
});
const pass = report.acceptedForgeries === 0 && report.serverErrors === 0 && report.rowsFromRefused === 0;
console.log(JSON.stringify(report, null, 2));
console.log(`accepted forgeries ${report.acceptedForgeries}, 5xx answers ${report.serverErrors}, rows written by refused requests ${report.rowsFromRefused}`);
console.log(`${report.requests} requests in ${report.seconds} s; master RSS idle ${report.idleRssMiB} MiB, peak ${report.flood.peakRssMiB} MiB; /healthz during the flood p50 ${report.flood.healthzP50Ms} ms, max ${report.flood.healthzMaxMs} ms; slow bodies cut off within ${report.slow.cutOffWithinMs} ms`);
console.log(`${pass ? 'PASS' : 'FAIL'} in ${Math.round((performance.now() - started) / 1000)} s (seed ${report.seed})`);
process.exit(pass ? 0 : 1);
