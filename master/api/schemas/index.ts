// The API's shapes, for the web UI: `import type { ApiBuild } from '…/api/schemas'` (type-only, so
// the browser bundle carries no zod).
export * from './common.js';
export * from './builds.js';
export * from './steps.js';
export * from './buildrequests.js';
export * from './changes.js';
export * from './deliveries.js';
export * from './workers.js';
export * from './builders.js';
export * from './info.js';
export * from './artifacts.js';
export * from './junit.js';
export * from './reporting.js';
export * from './events.js';
export * from './logs.js';
export * from './forwarder.js';
export type { ApiErrorBody, ApiErrorCode } from '../errors.js';
