// `gatehouse notify test --config FILE [--channel ID]`: a test message through each notification
// channel (email, IRC, webhooks). Run it with the master's environment: it reads the same secrets.
import { Command } from 'commander';
import { loadConfig } from '../shared/config.js';

export function notifyCommand(): Command {
  const notify = new Command('notify').description('notifications: check the channels');
  notify
    .command('test')
    .description('send a test message through each configured channel (email, IRC, webhooks) and say which worked')
    .requiredOption('-c, --config <file>', 'config file')
    .option('--channel <id>', 'only this channel: email, irc, or webhook (every webhook)')
    .action(async (o: { config: string; channel?: string }) => {
      try {
        const { config } = await loadConfig(o.config);
        const [{ configuredChannels }, { testChannels }] = await Promise.all([import('../master/notifications/configured-channels.js'), import('../master/notifications/test-channels.js')]);
        const channels = configuredChannels(config.notifications).filter((c) => !o.channel || c.id === o.channel || c.id.startsWith(`${o.channel}:`));
        process.exitCode = await testChannels(channels, (line) => console.log(line));
      } catch (error) {
        console.error(`gatehouse notify: ${(error as Error).message}`);
        process.exitCode = 1;
      }
    });
  return notify;
}
