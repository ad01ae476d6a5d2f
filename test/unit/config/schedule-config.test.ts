// triggers.schedule and a builder's properties: what they become, and mistakes named by key.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config.js';
import type { ConfigInput } from '../../../shared/config.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { configProblems as problems } from '../../support/config-problems.js';

type BuilderInput = ConfigInput['builders'][number];
const withBuilder = (over: Partial<BuilderInput>) => testConfig({ builders: [{ name: 'nightly', executor: 'host', steps: [{ name: 's', run: 'true' }], ...over }] });

describe('schedule and properties config', () => {
  it('reads a bare pattern as main in the master time zone, and the long form as given', () => {
    const bare = parseConfig(withBuilder({ triggers: { schedule: '@daily' } }), 'cfg', { env: TEST_SECRETS }).config.builders[0]!;
    expect(bare.triggers.schedule).toEqual({ cron: '@daily', timezone: undefined, ref: 'refs/heads/main', onlyIfChanged: false });
    const tagged = parseConfig(withBuilder({ triggers: { schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin', tag: 'v1', onlyIfChanged: true } } }), 'cfg', { env: TEST_SECRETS }).config.builders[0]!;
    expect(tagged.triggers.schedule).toEqual({ cron: '0 3 * * *', timezone: 'Europe/Berlin', ref: 'refs/tags/v1', onlyIfChanged: true });
    expect(bare.properties).toEqual({});
  });

  it('names the key of a bad pattern, time zone, or a branch and a tag together', () => {
    expect(problems(withBuilder({ triggers: { schedule: 'at three' } }))).toEqual([
      expect.stringMatching(/^builders\[0\]\.triggers\.schedule: expected a cron pattern such as '0 3 \* \* \*' or '@daily', got "at three"/),
    ]);
    expect(problems(withBuilder({ triggers: { schedule: { cron: '0 3 * * *', timezone: 'Mars/Olympus' } } }))).toEqual([
      "builders[0].triggers.schedule.timezone: expected an IANA time zone such as 'Europe/Berlin', got \"Mars/Olympus\"",
    ]);
    expect(problems(withBuilder({ triggers: { schedule: { cron: '0 3 * * *', branch: 'main', tag: 'v1' } } }))).toEqual([
      'builders[0].triggers.schedule.tag: expected "branch" or "tag", not both',
    ]);
  });

  it('names a property that cannot be an environment variable', () => {
    expect(problems(withBuilder({ properties: { 'dist-ro': {} } }))).toEqual([
      'builders[0].properties.dist-ro: expected a property name of letters, digits and "_" (it becomes GATEHOUSE_PROP_<name>), got "dist-ro"',
    ]);
    expect(problems(withBuilder({ properties: { channel: { choices: [] } } }))).toEqual([expect.stringContaining('builders[0].properties.channel.choices')]);
  });
});
