// The pull request comment, wired: only when github.prComment is configured and the client can
// comment. The reporter hears builds, the sender writes the comment.
import path from 'node:path';
import type { BuildSummaryReader } from '../logs/build-summary.js';
import { createLogStore } from '../logs/log-store.js';
import { readLogTail } from '../logs/log-tail.js';
import type { ReportingDeps } from '../start-reporting.js';
import type { SendingDeps } from '../outbox-sender.js';
import { targetUrlFor } from '../statuses/target-url.js';
import { reportingPart, type ReportingPart } from '../build-follower.js';
import { headBuilds, prCommentBody } from './pr-comment-content.js';
import { createPrCommentReporter } from './pr-comment-reporter.js';
import { createPrCommentSender } from './pr-comment-sender.js';

export function startPrComments(deps: ReportingDeps & { readSummary: BuildSummaryReader; sending: SendingDeps }): ReportingPart | undefined {
  const { config, stores } = deps;
  const { logger, now } = deps.sending;
  const settings = config.github.prComment;
  const github = deps.github;
  if (!settings || !github?.createIssueComment || !github.updateIssueComment || !github.findIssueComment) return undefined;
  const poster = { createIssueComment: github.createIssueComment.bind(github), updateIssueComment: github.updateIssueComment.bind(github), findIssueComment: github.findIssueComment.bind(github) };
  const listed = (builder: string) => settings.builders?.includes(builder) ?? true;
  // One comment per pull request and CI: the status context template tells CIs apart.
  const marker = `<!-- gatehouse pr-comment ${config.github.statusContext.replaceAll('--', '')} -->`;
  const logs = createLogStore(path.join(config.dataDir, 'logs'));
  const sender = createPrCommentSender({
    store: stores.prComments,
    marker,
    body: (repo, pr) =>
      prCommentBody({
        builds: headBuilds(stores.builds, repo, pr, listed),
        marker,
        whenAllSkipped: settings.whenAllSkipped,
        failure: (build) => {
          const step = deps.readSummary(build.id).failedStep;
          return step ? { step, tail: readLogTail(logs.path(build.id, step.step), 15) } : undefined;
        },
        link: (build) => targetUrlFor(config, build, build.started_at !== null),
        secrets: deps.secrets,
      }),
    github: poster,
    ...deps.sending,
  });
  const reporter = createPrCommentReporter({ builds: stores.builds, store: stores.prComments, listed, logger, now, onAdded: () => sender.wake() });
  return reportingPart(reporter, sender);
}
