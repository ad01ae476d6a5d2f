// Notices as a message in one IRC channel: connect, register, join, say, quit. No connection is
// kept: notices are rare, and a bot that stays would need its own reconnects and nick handling.
// Only the title and the link are said (one or two lines): a channel is not a mailbox.
// irc-framework is loaded at the first notice: a master without IRC never pays its memory.
import type { Config } from '../../shared/config.js';
import type { Channel } from './channel.js';

export type IrcSettings = NonNullable<Config['notifications']['irc']>;

export function createIrcChannel(settings: IrcSettings, options: { timeoutMs?: number } = {}): Channel {
  const timeout = options.timeoutMs ?? 60_000;
  return {
    id: 'irc',
    label: `IRC ${settings.channel} on ${settings.host}:${settings.port}`,
    send: (notice) => say(settings, [notice.title, notice.link].filter((l): l is string => Boolean(l)), timeout),
  };
}

async function say(settings: IrcSettings, lines: string[], timeoutMs: number): Promise<void> {
  const { Client } = await import('irc-framework');
  const client = new Client();
  return new Promise<void>((resolve, reject) => {
    let said = false;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => undefined); // late socket errors of a client being dropped
      if (error) {
        client.quit();
        reject(error);
      } else resolve();
    };
    const timer = setTimeout(() => settle(new Error(`IRC: nothing said in ${settings.channel} within ${timeoutMs / 1000} s`)), timeoutMs);
    let retries = 0;
    client.on('nick in use', () => (retries++ < 3 ? client.changeNick(`${settings.nick}_${retries}`) : settle(new Error(`IRC: nick ${settings.nick} is in use`))));
    client.on('registered', () => client.join(settings.channel, settings.channelKey));
    client.on('join', (event: { nick: string; channel: string }) => {
      if (event.nick !== client.user.nick || event.channel.toLowerCase() !== settings.channel.toLowerCase()) return;
      for (const line of lines) client.say(settings.channel, line);
      said = true;
      client.quit('gatehouse');
    });
    // After QUIT the server says ERROR ("Closing connection"): only errors before it count.
    client.on('irc error', (event: { error: string; reason?: string; channel?: string }) => said || settle(new Error(`IRC: ${event.error}${event.channel ? ` ${event.channel}` : ''}${event.reason ? `: ${event.reason}` : ''}`)));
    client.on('socket error', (error: Error) => settle(new Error(`IRC: ${error.message}`)));
    // quit() writes QUIT and closes the socket; the server reads the messages before it in order.
    client.on('close', () => settle(said ? undefined : new Error(`IRC: the connection to ${settings.host}:${settings.port} closed before the message was said`)));
    client.connect({
      host: settings.host, port: settings.port, tls: settings.tls, nick: settings.nick, username: settings.nick, gecos: 'gatehouse CI',
      password: settings.password, auto_reconnect: false,
    });
  });
}
