// The executors a worker gets when nobody hands it others: `host`, with sources from a mirror cache
// under the worker's own part of the data dir, and `vm` when the config it is given has images.
import path from 'node:path';
import type { Executor } from './executor/executor.js';
import { createHostExecutor } from './executor/host-executor.js';
import { type VmConfig, vmExecutorFromConfig } from './executor/vm/vm-executor-from-config.js';
import type { Logger } from '../shared/logger.js';
import { createSourceCache } from './source-cache.js';

export interface WorkerExecutors {
  host: Executor;
  vm?: Executor;
}

/** `<dataDir>/worker/<name>`: each worker on a host keeps its mirrors and builds apart. */
export function workerDir(dataDir: string, name: string): string {
  return path.join(dataDir, 'worker', name);
}

export function createDefaultExecutors(dataDir: string, name: string, vm?: { config: VmConfig; logger: Logger }, logger = vm?.logger): WorkerExecutors {
  const root = workerDir(dataDir, name);
  const sourceCache = createSourceCache({ dir: path.join(root, 'git') });
  const vmExecutor = vm && vmExecutorFromConfig(vm.config, name, root, { sourceCache, logger: vm.logger });
  return { host: createHostExecutor({ workRoot: path.join(root, 'work'), sourceCache, ...(logger ? { logger } : {}) }), ...(vmExecutor ? { vm: vmExecutor } : {}) };
}

/** Stands in for an executor this worker does not have, so the build ends as `error` with a reason. */
export function missingExecutor(kind: 'host' | 'vm', worker: string): Executor {
  const fail = () => Promise.reject(new Error(`worker ${worker} has no ${kind} executor`));
  return { kind, prepare: fail, runStep: fail, collect: fail, cleanup: () => Promise.resolve() };
}
