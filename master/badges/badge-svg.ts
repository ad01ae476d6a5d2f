// A status badge as SVG, in the look of shields.io's "flat" style (grey label, coloured message,
// rounded corners, a light gradient), drawn here: no fonts are measured, so text widths come from
// a rough per-character table for 11 px Verdana, and textLength makes the browser fit the text.

export interface Badge {
  label: string;
  message: string;
  /** The message's background. */
  color: string;
}

/** Rough advance widths in px of 11 px Verdana; the rest of the printable ASCII is DEFAULT_WIDTH. */
const NARROW = new Map<string, number>([...'il.,:;|!\''].map((c) => [c, 3.5]));
const SEMI = new Map<string, number>([...'fjrtI -()[]/'].map((c) => [c, 4.8]));
const WIDE = new Map<string, number>([...'mwMW'].map((c) => [c, 10.5]));
const UPPER_WIDTH = 7.6;
const DEFAULT_WIDTH = 6.8;

export function textWidth(text: string): number {
  let width = 0;
  for (const c of text) width += NARROW.get(c) ?? SEMI.get(c) ?? WIDE.get(c) ?? (c >= 'A' && c <= 'Z' ? UPPER_WIDTH : DEFAULT_WIDTH);
  return Math.round(width);
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function badgeSvg(badge: Badge): string {
  const pad = 10;
  const labelText = textWidth(badge.label);
  const messageText = textWidth(badge.message);
  const left = labelText + pad;
  const right = messageText + pad;
  const width = left + right;
  const label = escapeXml(badge.label);
  const message = escapeXml(badge.message);
  // Text is drawn at 10x scale and shrunk, as shields does, for crisper sub-pixel placement.
  const text = (x: number, length: number, content: string) =>
    `<text aria-hidden="true" x="${x * 10}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${length * 10}">${content}</text>` +
    `<text x="${x * 10}" y="140" transform="scale(.1)" fill="#fff" textLength="${length * 10}">${content}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${label}: ${message}">`,
    `<title>${label}: ${message}</title>`,
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
    `<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${escapeXml(badge.color)}"/><rect width="${width}" height="20" fill="url(#s)"/></g>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">`,
    text(left / 2, labelText, label),
    text(left + right / 2, messageText, message),
    '</g></svg>',
  ].join('');
}
