// Check runs, wired: the reporter hears builds and records what each run should show, the sender
// posts it. Only when the client can post check runs (a GitHub App client).
import path from 'node:path';
import type { BuildSummaryReader } from '../logs/build-summary.js';
import { createLogStore } from '../logs/log-store.js';
import { readLogTail } from '../logs/log-tail.js';
import type { ReportingDeps } from '../start-reporting.js';
import type { SendingDeps } from '../outbox-sender.js';
import { targetUrlFor } from '../statuses/target-url.js';
import { checkRunContent } from './check-run-content.js';
import { createCheckRunReporter } from './check-run-reporter.js';
import { createCheckRunSender } from './check-run-sender.js';
import { reportingPart, type ReportingPart } from '../build-follower.js';

export function startCheckRuns(deps: ReportingDeps & { readSummary: BuildSummaryReader; sending: SendingDeps }): ReportingPart | undefined {
  const { config, stores } = deps;
  const { logger, now } = deps.sending;
  const github = deps.github;
  if (!github?.createCheckRun || !github.updateCheckRun || !github.findCheckRun) return undefined;
  const poster = { createCheckRun: github.createCheckRun.bind(github), updateCheckRun: github.updateCheckRun.bind(github), findCheckRun: github.findCheckRun.bind(github) };
  const logs = createLogStore(path.join(config.dataDir, 'logs'));
  const sender = createCheckRunSender({
    store: stores.checkRuns,
    builds: stores.builds,
    requests: stores.requests,
    content: (build, request) =>
      checkRunContent({
        build, request,
        summary: () => deps.readSummary(build.id),
        failedStepTail: (step) => readLogTail(logs.path(build.id, step.step)),
        approveCommand: config.github.approveCommand,
        detailsUrl: targetUrlFor(config, build, build.started_at !== null),
        secrets: deps.secrets,
      }),
    github: poster,
    ...deps.sending,
  });
  const reporter = createCheckRunReporter({ config, builds: stores.builds, requests: stores.requests, store: stores.checkRuns, logger, now, onAdded: () => sender.wake() });
  return reportingPart(reporter, sender);
}
