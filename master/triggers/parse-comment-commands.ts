export interface CommentCommand {
  command: string;
  /** The builder named after the command, if any. */
  target: string | null;
}

/** Commands are whole lines: "/retest", "/retest lvm", "recheck". Quoted replies ("> /retest") do not count. */
export function parseCommentCommands(body: string, known: readonly string[]): CommentCommand[] {
  const found: CommentCommand[] = [];
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    for (const command of known) {
      if (line === command) found.push({ command, target: null });
      else if (line.startsWith(`${command} `)) {
        const target = line.slice(command.length).trim();
        if (/^\S+$/.test(target)) found.push({ command, target });
      }
    }
  }
  return found;
}
