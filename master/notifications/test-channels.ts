// `gatehouse notify test`: one test message through each configured channel, straight (not through
// the outbox), so an operator sees at once which channel works and why another does not.
import type { Channel } from './channel.js';

/** Sends to every channel; writes one line per channel; returns the exit code (1 when any failed or none is configured). */
export async function testChannels(channels: readonly Channel[], write: (line: string) => void, now: () => number = Date.now): Promise<number> {
  if (channels.length === 0) {
    write('no notification channel is configured (notifications.email, notifications.irc, notifications.webhooks)');
    return 1;
  }
  let failed = 0;
  for (const channel of channels) {
    try {
      await channel.send({ kind: 'test', title: 'gatehouse notify test: this channel works', detail: `sent by \`gatehouse notify test\` to ${channel.label}`, at: now() });
      write(`ok      ${channel.label}`);
    } catch (error) {
      failed++;
      write(`FAILED  ${channel.label}: ${(error as Error).message}`);
    }
  }
  return failed > 0 ? 1 : 0;
}
