// What one notification says, whatever carries it (email, IRC, a webhook). Notices are stored as
// JSON in the outbox, so a field added later must be optional.

export type NoticeKind =
  | 'failing' // a builder failed after passing (or as its first result)
  | 'fixed' // a builder passes again after failing or erring
  | 'error' // a builder's build ended in error (the infrastructure, not the change)
  | 'worker-lost' // a worker stayed away past its grace period
  | 'worker-back' // a lost worker connected again
  | 'image-failed' // a worker could not rebuild a VM image
  | 'reporting-failing' // commit statuses or the logs branch have failed to go out for a while
  | 'reporting-recovered'
  | 'test'; // `gatehouse notify test`

export interface Notice {
  kind: NoticeKind;
  /** One line, for a subject or an IRC message: "lvm is failing (build #12)". */
  title: string;
  /** Further lines: why, which pull request or branch, which commit. */
  detail?: string;
  /** The build (or worker, or image) to look at. */
  link?: string;
  builder?: string;
  at: number;
}

/** Whether a notice is good news (for colours and emoji in chat bodies). */
export function isGoodNews(kind: NoticeKind): boolean {
  return kind === 'fixed' || kind === 'worker-back' || kind === 'reporting-recovered' || kind === 'test';
}

/**
 * Several notices of one topic, coalesced into the one message a channel sends: the newest says
 * where things stand, the earlier ones are listed below it.
 */
export function coalesce(notices: readonly Notice[]): Notice {
  const newest = notices[notices.length - 1];
  if (!newest) throw new Error('coalesce() needs at least one notice');
  if (notices.length === 1) return newest;
  const earlier = notices.slice(0, -1).map((n) => `- ${new Date(n.at).toISOString()} ${n.title}${n.link ? ` ${n.link}` : ''}`);
  const detail = [newest.detail, `${notices.length - 1} earlier change${notices.length > 2 ? 's' : ''} since the last message:`, ...earlier].filter(Boolean).join('\n');
  return { ...newest, title: `${newest.title} (${notices.length} changes)`, detail };
}

/** The plain-text body: title, detail, link. */
export function plainText(notice: Notice): string {
  return [notice.title, notice.detail, notice.link].filter(Boolean).join('\n');
}
