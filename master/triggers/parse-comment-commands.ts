export interface CommentCommand {
  command: string;
  /** The builder named after the command, if any. */
  target: string | null;
  /** `--force`: run even where a no_<builder> label or a skip string says not to (admins only). */
  force: boolean;
}

const FORCE = '--force';

/**
 * Commands are whole lines: "/retest", "/retest lvm", "/retest lvm --force", "recheck". Quoted
 * replies ("> /retest") do not count.
 */
export function parseCommentCommands(body: string, known: readonly string[]): CommentCommand[] {
  const found: CommentCommand[] = [];
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    for (const command of known) {
      if (line === command) found.push({ command, target: null, force: false });
      else if (line.startsWith(`${command} `)) {
        const words = line.slice(command.length).trim().split(/\s+/);
        const force = words.includes(FORCE);
        const rest = words.filter((w) => w !== FORCE);
        if (rest.length <= 1) found.push({ command, target: rest[0] ?? null, force });
      }
    }
  }
  return found;
}
