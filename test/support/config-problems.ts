// The problems parseConfig reports for an input, as the config tests compare them ([] when it is valid).
import { parseConfig, ConfigError } from '../../shared/config.js';
import { TEST_SECRETS } from './test-config.js';

export function configProblems(input: unknown, env: NodeJS.ProcessEnv = TEST_SECRETS): string[] {
  try {
    parseConfig(input, 'cfg', { env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
