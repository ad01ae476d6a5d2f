// Turns accepted changes into build requests. Changes are stored before the webhook is answered,
// so this runs after the reply (GitHub lookups can take seconds) and again at start for any change
// a crash left pending. Changes are decided several at a time (a GitHub lookup for one pull request
// does not hold another's), but those of one pull request (or one pushed ref) one after another, in
// arrival order, so a later push supersedes an earlier one and never the other way round.
import type { Config } from '../../shared/config.js';
import type { BuildRow } from '../store/build-store.js';
import type { StoredChange } from '../store/change-store.js';
import type { Stores } from '../store/stores.js';
import type { EventBus } from '../event-bus.js';
import type { Logger } from '../../shared/logger.js';
import type { Change } from '../intake/change.js';
import type { GitHubLookups } from './github-lookups.js';
import { decideBuilders, type Outcome } from './decide-builders.js';
import { resolveRerun } from './rerun.js';
import { notServedReason, servedRepos } from '../intake/served-repos.js';
import { createOrderedPool } from './ordered-pool.js';

/** Changes decided at once: enough to hide GitHub's latency (a 100 ms-per-call burst queued in 4.2 s p50 with 16, 6.3 s with 8), well below the 100 concurrent requests GitHub allows. */
const CONCURRENT_CHANGES = 16;

export interface ChangeProcessorDeps {
  stores: Stores;
  config: Config;
  bus: EventBus;
  github: GitHubLookups | undefined;
  logger: Logger;
}

export function createChangeProcessor(deps: ChangeProcessorDeps) {
  const { stores, bus, logger } = deps;
  const { changes, builds, requests, deliveries } = stores;
  const isServed = servedRepos(deps.config);

  /** Record a change that starts nothing, with why. */
  function settle(stored: StoredChange, outcome: 'ignored' | 'cancelled', detail: string): void {
    changes.markProcessed(stored.id);
    if (stored.deliveryId) deliveries.setOutcome(stored.deliveryId, outcome, detail);
  }

  /** A closed (or merged) PR: what is queued or running for it ends, each with a final status. */
  function closePull(stored: StoredChange): void {
    const c = stored.change;
    const why = 'pull request closed';
    const ended: BuildRow[] = [];
    const running: BuildRow[] = [];
    stores.transaction(() => {
      for (const b of builds.openForPull(c.repo, c.pr as number)) {
        if (b.state === 'running') {
          builds.requestCancel(b.id, why);
          running.push(b);
        } else if (builds.finish(b.id, 'cancelled', why)) ended.push(b);
      }
      const all = [...ended, ...running];
      settle(stored, all.length > 0 ? 'cancelled' : 'ignored', all.length > 0 ? all.map((b) => `${b.builder} #${b.number}: ${why}`).join('; ') : 'pull request closed; nothing was queued or running');
    });
    for (const b of ended) bus.emit({ type: 'build', build: builds.get(b.id) as BuildRow });
    for (const b of running) bus.emit({ type: 'cancel-requested', buildId: b.id, reason: why });
    if (stored.deliveryId) bus.emit({ type: 'delivery', id: stored.deliveryId });
    if (ended.length > 0) bus.emit({ type: 'queue' });
  }

  async function processOne(stored: StoredChange): Promise<void> {
    // Changes stored before the repository check existed (or by hand) meet it here as well.
    if (!isServed(stored.change.repo)) {
      stores.transaction(() => settle(stored, 'ignored', notServedReason(stored.change.repo)));
      if (stored.deliveryId) bus.emit({ type: 'delivery', id: stored.deliveryId });
      return;
    }
    if (stored.change.kind === 'pull_request' && stored.change.action === 'closed') return closePull(stored);
    let change = stored.change;
    if (change.kind === 'rerun') {
      const resolved = resolveRerun(change, builds, deps.config);
      if ('note' in resolved) {
        stores.transaction(() => settle(stored, 'ignored', resolved.note));
        if (stored.deliveryId) bus.emit({ type: 'delivery', id: stored.deliveryId });
        return;
      }
      change = resolved.change;
    }
    let outcome: Outcome;
    try {
      outcome = await decideBuilders(change, deps.config, deps.github);
    } catch (error) {
      // A lookup failed hard (the PR for a comment, say): record why, and do not retry forever.
      const detail = `could not evaluate triggers: ${(error as Error).message}`;
      logger.warn({ change: stored.id, err: (error as Error).message }, detail);
      stores.transaction(() => {
        changes.markProcessed(stored.id);
        if (stored.deliveryId) deliveries.setOutcome(stored.deliveryId, 'error', detail);
      });
      return;
    }
    const created: BuildRow[] = [];
    const already: string[] = [];
    const cancelled: BuildRow[] = [];
    const runningToCancel: { id: number; reason: string }[] = [];
    stores.transaction(() => {
      if (outcome.approve) created.push(...approveAwaiting(outcome.change));
      for (const s of outcome.skipOpen ?? []) {
        const c = outcome.change;
        for (const old of builds.openForPr(c.repo, c.pr as number, s.builder)) {
          // A running build is cancelled; the worker's "cancelled" then ends it as skipped (cancel-result.ts).
          if (old.state === 'running') {
            builds.requestCancel(old.id, s.reason);
            runningToCancel.push({ id: old.id, reason: s.reason });
          } else if (builds.finish(old.id, 'skipped', s.reason)) cancelled.push(old);
        }
      }
      for (const d of outcome.decisions) {
        const c = outcome.change;
        if (c.pr !== null && c.sha) {
          const open = builds.openForPr(c.repo, c.pr, d.builder);
          if (open.some((b) => b.sha === c.sha)) {
            already.push(`${d.builder}: already queued or running for this head`);
            continue;
          }
          for (const old of open) {
            const why = `superseded by ${c.sha.slice(0, 7)}`;
            if (old.state === 'running') {
              builds.requestCancel(old.id, why);
              runningToCancel.push({ id: old.id, reason: why });
            } else if (builds.finish(old.id, 'cancelled', why)) cancelled.push(old);
          }
        }
        if (c.kind === 'push' && c.ref && c.sha) {
          const earlier = builds.forPush(c.repo, c.ref, c.sha, d.builder);
          if (earlier) {
            already.push(`${d.builder}: already built for this push (#${earlier.number})`);
            continue;
          }
        }
        const initial = d.verdict === 'skip' ? { state: 'skipped' as const, why: d.reason } : { state: d.verdict === 'queue' ? ('queued' as const) : ('awaiting-approval' as const) };
        created.push(builds.create({
          changeId: stored.id, builder: d.builder, reason: d.verdict === 'skip' ? describeReason(c) : d.reason,
          repo: c.repo, pr: c.pr, sha: c.sha, ref: c.ref, cloneUrl: c.cloneUrl, docsOnly: d.docsOnly, properties: c.properties, initial,
          // A forced build may ask for its own priority; every other build takes its builder's.
          priority: c.priority ?? deps.config.builders.find((b) => b.name === d.builder)?.priority ?? 0,
        }));
      }
      changes.markProcessed(stored.id);
      if (stored.deliveryId) {
        const queued = created.filter((b) => b.result !== 'skipped').length;
        const skipped = created.length - queued;
        const outcomeName = queued > 0 ? 'queued' : skipped > 0 || (outcome.skipOpen?.length ?? 0) > 0 ? 'skipped' : 'ignored';
        const detail = created.length > 0
          ? created.map((b) => `${b.builder}: ${b.result === 'skipped' ? b.result_reason : b.state === 'queued' ? 'queued' : 'waiting'}`).join('; ')
          : already.length > 0 ? already.join('; ') : (outcome.note ?? 'nothing to do');
        deliveries.setOutcome(stored.deliveryId, outcomeName, detail);
      }
    });
    for (const b of [...cancelled, ...created]) bus.emit({ type: 'build', build: builds.get(b.id) as BuildRow });
    for (const r of runningToCancel) bus.emit({ type: 'cancel-requested', buildId: r.id, reason: r.reason });
    if (stored.deliveryId) bus.emit({ type: 'delivery', id: stored.deliveryId });
    if (created.length > 0) bus.emit({ type: 'queue' });
  }

  /** Release the requests of this PR that wait for approval; stale heads are cancelled. */
  function approveAwaiting(c: Change): BuildRow[] {
    const released: BuildRow[] = [];
    for (const b of builds.awaitingApproval(c.repo, c.pr as number)) {
      if (b.sha === c.sha && requests.approve(b.request_id)) released.push(b);
      else builds.finish(b.id, 'cancelled', `superseded by ${c.sha?.slice(0, 7)}`);
    }
    return released;
  }

  /** Changes that must be applied in order share a key: those of one pull request, or of one pushed ref. */
  function orderKey(stored: StoredChange): string {
    let c = stored.change;
    // A Re-run names a head, not a pull request: the builds of that head say which.
    if (c.kind === 'rerun' && c.pr === null) {
      const resolved = resolveRerun(c, builds, deps.config);
      if ('change' in resolved) c = resolved.change;
    }
    const repo = c.repo.toLowerCase();
    if (c.pr !== null) return `${repo}#${c.pr}`;
    if (c.ref) return `${repo}@${c.ref}`;
    return `change ${stored.id}`;
  }

  const pool = createOrderedPool<StoredChange>({
    limit: CONCURRENT_CHANGES,
    keyOf: orderKey,
    idOf: (stored) => stored.id,
    run: async (stored) => {
      try {
        await processOne(stored);
      } finally {
        // The store hands out pending changes a page at a time: top up when the pool runs low.
        if (pool.waiting() < CONCURRENT_CHANGES) addPending();
      }
    },
  });
  function addPending(): void {
    for (const stored of changes.pending()) pool.add(stored);
  }

  return {
    /** Process every pending change; resolves when none is left (or rejects with a failure). */
    kick(): Promise<void> {
      addPending();
      return pool.idle();
    },
  };
}
export type ChangeProcessor = ReturnType<typeof createChangeProcessor>;

function describeReason(c: Change): string {
  return c.kind === 'push' ? `push to ${c.baseRef}` : c.kind === 'comment' ? `comment on #${c.pr}` : c.kind === 'rerun' ? `Re-run by ${c.rerun?.by}` : `pull request #${c.pr} ${c.action ?? ''}`.trim();
}
