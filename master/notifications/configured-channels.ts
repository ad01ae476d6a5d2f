// The channels the config names, built once; the sender and `gatehouse notify test` use the same.
import type { Config } from '../../shared/config.js';
import type { Channel } from './channel.js';
import { createEmailChannel } from './email-channel.js';
import { createIrcChannel } from './irc-channel.js';
import { createWebhookChannel } from './webhook-channel.js';

export function configuredChannels(notifications: Config['notifications']): Channel[] {
  return [
    ...(notifications.email ? [createEmailChannel(notifications.email)] : []),
    ...(notifications.irc ? [createIrcChannel(notifications.irc)] : []),
    ...notifications.webhooks.map((w) => createWebhookChannel(w)),
  ];
}
