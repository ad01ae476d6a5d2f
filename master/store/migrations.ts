// Versioned schema migrations, applied in order at start (PRAGMA user_version holds the version).
// Append new ones; never edit a released one.
export const MIGRATIONS: readonly string[] = [
  /* 1: the queue */ `
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,                 -- X-GitHub-Delivery
    event TEXT NOT NULL,
    action TEXT,
    repo TEXT,
    pr INTEGER,
    sha TEXT,
    outcome TEXT NOT NULL,               -- pending | queued | skipped | ignored | error
    detail TEXT,
    received_at INTEGER NOT NULL
  );
  CREATE INDEX deliveries_received ON deliveries(received_at);

  CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    delivery_id TEXT REFERENCES deliveries(id),
    kind TEXT NOT NULL,                  -- pull_request | push | comment | reconcile | rebuild
    repo TEXT NOT NULL,
    pr INTEGER,
    sha TEXT,
    ref TEXT,
    author TEXT,
    title TEXT,
    data TEXT NOT NULL,                  -- the normalized change, JSON
    state TEXT NOT NULL,                 -- pending | processed
    created_at INTEGER NOT NULL
  );
  CREATE INDEX changes_pending ON changes(state) WHERE state = 'pending';
  CREATE INDEX changes_pr ON changes(repo, pr);

  CREATE TABLE build_requests (
    id INTEGER PRIMARY KEY,
    change_id INTEGER REFERENCES changes(id),
    builder TEXT NOT NULL,
    state TEXT NOT NULL,                 -- awaiting-approval | queued | claimed | complete
    attempts INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    waiting TEXT,                        -- why it is not running yet, said by the dispatcher
    created_at INTEGER NOT NULL,
    claimed_at INTEGER
  );
  CREATE INDEX build_requests_runnable ON build_requests(state, id);

  CREATE TABLE builds (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL UNIQUE REFERENCES build_requests(id),
    builder TEXT NOT NULL,
    number INTEGER NOT NULL,
    state TEXT NOT NULL,                 -- queued | running | finished
    result TEXT,                         -- success | failure | error | cancelled | skipped
    result_reason TEXT,
    reason TEXT NOT NULL,                -- why it was asked for
    repo TEXT NOT NULL,
    pr INTEGER,
    sha TEXT,
    ref TEXT,
    clone_url TEXT,
    worker TEXT,
    cancel_requested TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    UNIQUE (builder, number)
  );
  CREATE INDEX builds_builder ON builds(builder, id);
  CREATE INDEX builds_pr ON builds(repo, pr, builder);
  CREATE INDEX builds_state ON builds(state);
  CREATE INDEX builds_sha ON builds(sha);

  CREATE TABLE steps (
    id INTEGER PRIMARY KEY,
    build_id INTEGER NOT NULL REFERENCES builds(id),
    step TEXT NOT NULL,                  -- "0", "1", "2.0"…
    name TEXT NOT NULL,
    state TEXT NOT NULL,                 -- pending | running | finished
    result TEXT,
    exit_code INTEGER,
    reason TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    duration_ms INTEGER,
    log_bytes INTEGER NOT NULL DEFAULT 0,
    UNIQUE (build_id, step)
  );

  CREATE TABLE workers (
    name TEXT PRIMARY KEY,
    instance_id TEXT,
    last_seq INTEGER NOT NULL DEFAULT 0,
    connected INTEGER NOT NULL DEFAULT 0,
    connected_at INTEGER,
    last_seen INTEGER,
    version TEXT,
    slots INTEGER,
    arch TEXT,
    labels TEXT,
    images TEXT
  );

  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    build_id INTEGER NOT NULL REFERENCES builds(id),
    step TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    stored_at TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX artifacts_build ON artifacts(build_id);
  `,
  /* 2: reporting (commit statuses to post, builds to publish on the logs branch) */ `
  CREATE TABLE status_outbox (
    id INTEGER PRIMARY KEY,              -- posting order within one (repo, sha, context)
    build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    transition TEXT NOT NULL,            -- awaiting | queued@<attempts> | started@<attempts> | finished
    repo TEXT NOT NULL,
    sha TEXT NOT NULL,
    context TEXT NOT NULL,
    github_state TEXT NOT NULL,          -- pending | success | failure | error
    description TEXT NOT NULL,
    target_url TEXT,
    state TEXT NOT NULL DEFAULT 'pending', -- pending | sent | failed (gave up)
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    UNIQUE (build_id, transition)
  );
  CREATE INDEX status_outbox_pending ON status_outbox(repo, sha, context, id) WHERE state = 'pending';

  CREATE TABLE logs_publications (
    build_id INTEGER PRIMARY KEY REFERENCES builds(id) ON DELETE CASCADE,
    wanted TEXT NOT NULL,                -- started (placeholder) | finished (the whole folder)
    published TEXT,                      -- what the logs branch holds: NULL | started | finished
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX logs_publications_todo ON logs_publications(next_attempt_at) WHERE published IS NOT wanted;
  `,
  /* 3: images over time (which image version each build booted; each worker's image versions) */ `
  ALTER TABLE builds ADD COLUMN image TEXT;            -- the image (family) name the build booted
  ALTER TABLE builds ADD COLUMN image_version TEXT;    -- its version: <image>-YYYYMMDD[.N], or the manifest's name
  ALTER TABLE builds ADD COLUMN image_used_at INTEGER; -- when the build took the VM
  ALTER TABLE workers ADD COLUMN image_versions TEXT;  -- JSON ImageFamilyReport[] from the worker's hello / images message
  `,
  /* 4: artifact file modes (an executable stays executable when a later build downloads it) */ `
  ALTER TABLE artifacts ADD COLUMN mode INTEGER;       -- permission bits as collected; NULL from older workers
  `,
  /* 5: statuses superseded by a newer one of their (repo, sha, context): found by key, newest first */ `
  CREATE INDEX status_outbox_key ON status_outbox(repo, sha, context, build_id, id);
  `,
  /* 6: builds as they are read: with their pull request's title and author (the newest the webhooks or reconcile saw) */ `
  CREATE VIEW build_view AS
    SELECT b.*,
      (SELECT c.title FROM changes c WHERE c.repo = b.repo AND c.pr = b.pr AND c.kind IN ('pull_request', 'reconcile') AND c.title IS NOT NULL ORDER BY c.id DESC LIMIT 1) AS pr_title,
      (SELECT c.author FROM changes c WHERE c.repo = b.repo AND c.pr = b.pr AND c.kind IN ('pull_request', 'reconcile') AND c.author IS NOT NULL ORDER BY c.id DESC LIMIT 1) AS pr_author
    FROM builds b;
  `,
  /* 7: docs-only builds (a skip string that means "run the docs steps"); builds already carry their repository */ `
  ALTER TABLE builds ADD COLUMN docs_only INTEGER NOT NULL DEFAULT 0; -- 1: only the builder's docs steps run
  `,
  /* 8: notifications to send (email, IRC, webhooks): a durable outbox, coalesced per channel and topic */ `
  CREATE TABLE notification_outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,               -- email | irc | webhook:<hash of its URL>
    topic TEXT NOT NULL,                 -- what is coalesced and rate-limited: builder:<name> | worker:<name> | image:<name> | reporting:<part>
    dedupe_key TEXT NOT NULL,            -- the event, so a replay (a restart, a sweep) adds nothing: build:<id> | worker-lost:<name>@<ms> ...
    notice TEXT NOT NULL,                -- JSON Notice (master/notifications/notice.ts)
    state TEXT NOT NULL DEFAULT 'pending', -- pending | sent | failed (gave up)
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    UNIQUE (channel, dedupe_key)
  );
  CREATE INDEX notification_outbox_pending ON notification_outbox(channel, topic, id) WHERE state = 'pending';
  CREATE INDEX notification_outbox_sent ON notification_outbox(channel, topic, sent_at) WHERE state = 'sent';
  `,
  /* 9: scheduled and forced builds (the last slot each schedule ran; the properties a forced build set) */ `
  CREATE TABLE schedule_runs (
    builder TEXT PRIMARY KEY,
    slot_at INTEGER NOT NULL,            -- the newest slot handled (built, or skipped as unchanged)
    sha TEXT,                            -- what that slot's ref pointed at (for onlyIfChanged)
    change_id INTEGER,                   -- the change it stored (its build follows from it), if it built
    updated_at INTEGER NOT NULL
  );
  ALTER TABLE builds ADD COLUMN properties TEXT; -- JSON { name: value } a forced build set; NULL otherwise
  `,
  /* 10: check runs (GitHub App) and pull request comments: what each should show, what GitHub has, and its id once created */ `
  CREATE TABLE check_runs (
    build_id INTEGER PRIMARY KEY REFERENCES builds(id) ON DELETE CASCADE,
    repo TEXT NOT NULL,
    sha TEXT NOT NULL,
    name TEXT NOT NULL,                  -- the check's name (the status context)
    transition TEXT NOT NULL,            -- the newest to show: awaiting | queued@<attempts> | started@<attempts> | finished
    version INTEGER NOT NULL DEFAULT 1,  -- bumped with each transition
    sent_version INTEGER NOT NULL DEFAULT 0, -- the version GitHub shows
    given_up INTEGER NOT NULL DEFAULT 0, -- 1: this version failed for good
    github_id INTEGER,                   -- the run's id on GitHub; NULL until created
    create_sent_at INTEGER,              -- a create was sent and may have reached GitHub: look for the run before creating another
    annotations_sent INTEGER NOT NULL DEFAULT 0, -- how many of the finished run's annotations GitHub has
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    queued_at INTEGER NOT NULL           -- when this version was asked for
  );
  CREATE INDEX check_runs_todo ON check_runs(next_attempt_at) WHERE sent_version < version AND given_up = 0;

  CREATE TABLE pr_comments (           -- the one comment per pull request that lists each builder's result
    repo TEXT NOT NULL,
    pr INTEGER NOT NULL,
    shown TEXT NOT NULL,                 -- what the comment should show (the head's builds and their states), to skip repeats
    version INTEGER NOT NULL DEFAULT 1,  -- bumped when that changes
    sent_version INTEGER NOT NULL DEFAULT 0,
    given_up INTEGER NOT NULL DEFAULT 0,
    comment_id INTEGER,                  -- the comment's id on GitHub; NULL until created
    create_sent_at INTEGER,              -- a create was sent: look for the comment (by its marker) before creating another
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    queued_at INTEGER NOT NULL,
    PRIMARY KEY (repo, pr)
  );
  CREATE INDEX pr_comments_todo ON pr_comments(next_attempt_at) WHERE sent_version < version AND given_up = 0;
  `,
  /* 11: priorities: a queued request with a higher one is dispatched first (aging lifts the ones that wait) */ `
  ALTER TABLE build_requests ADD COLUMN priority INTEGER NOT NULL DEFAULT 0; -- the builder's, or what a forced build asked for
  `,
];
