// Reconnect delays for the smee forwarder.

/**
 * Delay before reconnect attempt `attempt` (0 for the first retry after a drop).
 *
 * Exponential from `minMs`, capped at `maxMs`, with "equal jitter": the delay is drawn between half
 * of the cap and the cap, so forwarders cut off by the same smee.io outage do not all come back in
 * the same millisecond. Never below `minMs`: attempt 0 waits exactly `minMs`, attempt k waits
 * between 2^(k-1)·min and 2^k·min, and once capped between max/2 and max.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(Math.max(minMs, cap / 2 + (random() * cap) / 2));
}
