// Fills a master's database with finished builds, spread over builders, PRs and results, as a
// busy CI accumulates them (for the UI benchmark and the UI's pagination test). Straight SQL in one
// transaction: 10,000 builds take a fraction of a second.
import type { Db } from '../master/store/open-database.js';

const RESULTS = ['success', 'success', 'success', 'success', 'success', 'failure', 'failure', 'error', 'cancelled', 'skipped'] as const;

export interface SeedOptions {
  count: number;
  builders: string[];
  repo: string;
  /** The newest build's creation time (default now); older ones go back ten minutes each. */
  now?: number;
}

export function seedBuilds(db: Db, { count, builders, repo, now = Date.now() }: SeedOptions): void {
  const request = db.prepare(`INSERT INTO build_requests (change_id, builder, state, attempts, worker, created_at, claimed_at) VALUES (NULL, ?, 'complete', 1, 'w1', ?, ?)`);
  const build = db.prepare(
    `INSERT INTO builds (request_id, builder, number, state, result, result_reason, reason, repo, pr, sha, ref, clone_url, worker, created_at, started_at, finished_at)
     VALUES (?, ?, ?, 'finished', ?, ?, ?, ?, ?, ?, ?, NULL, 'w1', ?, ?, ?)`,
  );
  const next = db.prepare<[string], { n: number }>('SELECT COALESCE(MAX(number), 0) AS n FROM builds WHERE builder = ?');
  db.transaction(() => {
    const numbers = new Map(builders.map((b) => [b, (next.get(b) as { n: number }).n]));
    for (let i = 0; i < count; i++) {
      const builder = builders[i % builders.length] as string;
      const number = (numbers.get(builder) as number) + 1;
      numbers.set(builder, number);
      const created = now - (count - i) * 600_000;
      const result = RESULTS[(i * 7) % RESULTS.length] as string;
      const pr = 1 + Math.floor(i / 3) % 900;
      const sha = (i + 1).toString(16).padStart(40, 'e');
      const requestId = Number(request.run(builder, created, created + 5_000).lastInsertRowid);
      build.run(
        requestId, builder, number, result, result === 'success' ? null : `seeded ${result}`, `pull request #${pr} synchronize`,
        repo, pr, sha, `refs/pull/${pr}/head`, created, created + 5_000, created + 5_000 + ((i * 7919) % 3_600_000),
      );
    }
  })();
}
