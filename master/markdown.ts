// Markdown that data cannot break: table cells and fenced blocks. For the logs branch README, the
// check run summary and the pull request comment.

/** Table cells: no pipes or line breaks from the data can break the table. */
export const cell = (text: string | number | null | undefined): string =>
  text === null || text === undefined || text === '' ? '–' : String(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A fenced block whose fence is longer than any backtick run inside it. */
export function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}
