// The short version of `npm run fuzz` that every test run includes: a real master process, hostile
// deliveries, a flood of large unsigned bodies and bodies that trickle in.
import { describe, expect, it } from 'vitest';
import { runWebhookFuzz } from '../../fuzz/webhook-fuzz.js';

describe('webhook fuzz (short)', () => {
  it('accepts no forgery, answers no 5xx, stores nothing for refused requests, and stays bounded in memory', async () => {
    const report = await runWebhookFuzz({ requests: 1500, concurrency: 8, floodConnections: 16, floodBodyMiB: 24, slowBodies: 2 });
    console.log(`fuzz (seed ${report.seed}): ${report.requests} requests in ${report.seconds} s; peak RSS ${report.flood.peakRssMiB} MiB; /healthz max ${report.flood.healthzMaxMs} ms; unexpected ${JSON.stringify(report.unexpected)}`);
    expect(report.acceptedForgeries).toBe(0);
    expect(report.serverErrors).toBe(0);
    expect(report.rowsFromRefused).toBe(0);
    // Every kind of case was tried, and the valid ones were really accepted (the fuzz is not refusing everything).
    expect(Object.keys(report.byKind).length).toBeGreaterThanOrEqual(18);
    expect(report.unexpected.valid).toBeUndefined();
    // The budget turned most of the flood away; what it admitted kept the master far below the 920 MB seen before.
    expect(report.flood.refused503).toBeGreaterThan(report.flood.sent / 2);
    expect(report.flood.peakRssMiB).toBeLessThan(200);
    expect(report.slow.cutOffWithinMs).toBeLessThan(30_000);
  }, 120_000);
});
