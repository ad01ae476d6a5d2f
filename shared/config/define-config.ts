import type { ConfigInput } from './schema.js';

/** Identity at run time; gives the config file its types and editor help. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
