// A build's or step's status as a word with a glyph and a colour (never colour alone).
const GLYPHS: Record<string, string> = {
  success: '✓', failure: '✗', error: '!', cancelled: '⊘', skipped: '↷', running: '●', queued: '○',
  pending: '○', 'awaiting-approval': '◔', idle: '–', 'not-run': '–', waiting: '○', finished: '✓',
};
const LABELS: Record<string, string> = { 'awaiting-approval': 'awaiting approval' };

export const statusGlyph = (status: string) => GLYPHS[status] ?? '•';

export function StatusPill({ status, label }: { status: string; label?: string }) {
  return (
    <span class={`pill s-${status}`}>
      <span aria-hidden="true">{statusGlyph(status)}</span> {label ?? LABELS[status] ?? status}
    </span>
  );
}
