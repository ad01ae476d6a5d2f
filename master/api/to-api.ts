// Rows as the API shows them, typed by the API's schemas. Serialization strips any key a schema
// does not list too; these also keep the in-process values (events) to the API's fields.
import type { BuildRow } from '../store/build-store.js';
import type { RequestRow } from '../store/build-request-store.js';
import type { ApiBuild } from './schemas/builds.js';
import type { ApiBuildRequest } from './schemas/buildrequests.js';

export function buildToApi(b: BuildRow): ApiBuild {
  return {
    id: b.id, builder: b.builder, number: b.number, state: b.state, result: b.result, result_reason: b.result_reason,
    reason: b.reason, repo: b.repo, pr: b.pr, pr_title: b.pr_title ?? null, pr_author: b.pr_author ?? null, sha: b.sha, ref: b.ref, worker: b.worker,
    cancel_requested: b.cancel_requested, created_at: b.created_at, started_at: b.started_at, finished_at: b.finished_at,
    image: b.image, image_version: b.image_version, image_used_at: b.image_used_at, docs_only: b.docs_only === 1,
  };
}

export function requestToApi(r: RequestRow & Partial<Pick<BuildRow, 'repo' | 'pr' | 'sha' | 'reason'>> & { build_id?: number }): ApiBuildRequest {
  return {
    id: r.id, builder: r.builder, state: r.state, waiting: r.waiting, priority: r.priority, attempts: r.attempts, worker: r.worker,
    build_id: r.build_id ?? null, repo: r.repo ?? null, pr: r.pr ?? null, sha: r.sha ?? null, reason: r.reason ?? null,
    created_at: r.created_at, claimed_at: r.claimed_at,
  };
}
