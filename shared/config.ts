// The public face of the config module, for config files and both processes.
export { defineConfig } from './config/define-config.js';
export { loadConfig, parseConfig, ConfigError } from './config/load-config.js';
export type { Config, BuilderConfig, StepConfig, WorkerConfig, LoadedConfig } from './config/load-config.js';
export type { ConfigInput, LogsLocationConfig, ServedRepo, SkipString } from './config/schema.js';
