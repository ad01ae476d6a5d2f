import { describe, expect, it } from 'vitest';
import { formatSize, parseSize } from '../../../shared/size.js';

describe('sizes', () => {
  it('reads binary and decimal units, any case, and bare numbers as bytes', () => {
    expect(parseSize('20GiB')).toBe(20 * 1024 ** 3);
    expect(parseSize('1.5 MiB')).toBe(1.5 * 1024 ** 2);
    expect(parseSize('500mb')).toBe(500_000_000);
    expect(parseSize('2TB')).toBe(2e12);
    expect(parseSize('4000B')).toBe(4000);
    expect(parseSize(4096)).toBe(4096);
  });

  it('refuses what is not a size', () => {
    for (const bad of ['20', 'GiB', '20 GiBs', '-1GiB', '1e3MB', '']) expect(parseSize(bad), bad).toBeUndefined();
    expect(parseSize(-1)).toBeUndefined();
    expect(parseSize(Number.NaN)).toBeUndefined();
  });

  it('prints sizes short', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(20 * 1024 ** 3)).toBe('20.0 GiB');
  });
});
