import { describe, expect, it } from 'vitest';
import { ExpiringLru } from '../../../master/expiring-lru.js';

describe('expiring LRU', () => {
  it('forgets an entry after its time', () => {
    let now = 1000;
    const cache = new ExpiringLru<string>({ maxEntries: 10, ttlMs: 100, now: () => now });
    cache.set('a', 'A');
    now += 99;
    expect(cache.get('a')).toBe('A');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used entry beyond its size', () => {
    const cache = new ExpiringLru<number>({ maxEntries: 2, ttlMs: 60_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // now b is the least recently used
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });
});
