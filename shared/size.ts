// Sizes in config are strings like "20GiB", "500MB" or "1.5TiB"; a bare number is bytes. Both the
// binary (KiB, MiB, GiB, TiB) and the decimal (KB, MB, GB, TB) units are taken, as people write both.
const UNIT_BYTES: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)$/i;

/** Bytes for a size string, or undefined when it is not one. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * (UNIT_BYTES[(match[2] as string).toUpperCase()] as number));
}

/** A short human form of a size, for logs and listings: 512 B, 3.4 MiB, 20.0 GiB. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
