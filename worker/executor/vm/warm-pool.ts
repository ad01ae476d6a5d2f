// VMs booted ahead of builds, per image, so a build starts at once. A pooled VM is handed to one
// build and never comes back: the build's cleanup destroys it, and the pool boots a replacement in
// the background. A pooled VM matches a build only with the same memory, vCPUs and network.
import type { Logger } from '../../../shared/logger.js';
import type { RunningVm } from './boot-vm.js';

export interface PoolEntry {
  image: string;
  size: number;
  memoryMiB: number;
  cpus: number;
  network: boolean;
}

export interface WarmPoolOptions {
  entries: PoolEntry[];
  /** Boot one VM for the pool; `signal` aborts a boot still waiting for SSH when the pool closes. */
  boot: (entry: PoolEntry, signal: AbortSignal) => Promise<RunningVm>;
  logger: Logger;
  /** Wait after a failed boot before the next try (default 30 s). */
  retryMs?: number;
}

export class WarmPool {
  private readonly ready = new Map<PoolEntry, RunningVm[]>();
  private readonly booting = new Map<PoolEntry, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly closing = new AbortController();

  constructor(private readonly options: WarmPoolOptions) {
    for (const entry of options.entries) {
      this.ready.set(entry, []);
      this.booting.set(entry, 0);
    }
  }

  /** Boot up to each entry's size, in the background. */
  fill(): void {
    for (const entry of this.options.entries) this.refill(entry);
  }

  /** A ready VM for this build, or undefined (the build boots its own). Ready VMs that do not `fit` (an image version replaced since) are destroyed. */
  take(image: string, spec: { memoryMiB: number; cpus: number; network: boolean }, fits: (vm: RunningVm) => boolean = () => true): RunningVm | undefined {
    for (const entry of this.options.entries) {
      if (entry.image !== image || entry.memoryMiB !== spec.memoryMiB || entry.cpus !== spec.cpus || entry.network !== spec.network) continue;
      const list = this.ready.get(entry) ?? [];
      let vm: RunningVm | undefined;
      while ((vm = list.shift())) {
        if (vm.session.alive && fits(vm)) break;
        this.options.logger.warn(`warm pool: ${vm.name} ${vm.session.alive ? `runs ${vm.image.version ?? 'an image version'} no longer current` : 'lost its SSH connection'}; destroyed`);
        void vm.destroy().catch(() => {});
      }
      this.refill(entry);
      if (vm) return vm;
    }
    return undefined;
  }

  /** VMs ready now, per image. */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [entry, list] of this.ready) out[entry.image] = (out[entry.image] ?? 0) + list.length;
    return out;
  }

  /** Resolves once every entry has its size of ready VMs (for tests and benchmarks). */
  async whenFull(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.options.entries.some((e) => (this.ready.get(e)?.length ?? 0) < e.size)) {
      if (Date.now() > until) throw new Error('the warm pool did not fill in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stop refilling; destroy ready VMs and those still booting. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled([...this.inFlight]);
    const all = [...this.ready.values()].flat();
    for (const list of this.ready.values()) list.length = 0;
    await Promise.allSettled(all.map((vm) => vm.destroy()));
  }

  private refill(entry: PoolEntry): void {
    if (this.closed) return;
    const have = (this.ready.get(entry)?.length ?? 0) + (this.booting.get(entry) ?? 0);
    for (let i = have; i < entry.size; i++) this.bootOne(entry);
  }

  private bootOne(entry: PoolEntry): void {
    this.booting.set(entry, (this.booting.get(entry) ?? 0) + 1);
    const task = this.options
      .boot(entry, this.closing.signal)
      .then(async (vm) => {
        if (this.closed) return vm.destroy();
        this.ready.get(entry)?.push(vm);
        this.options.logger.info(`warm pool: ${vm.name} (${entry.image}) ready after ${(vm.timings.totalMs / 1000).toFixed(1)}s`);
      })
      .catch((error: Error) => {
        if (this.closed) return;
        this.options.logger.warn(`warm pool: booting a ${entry.image} VM failed: ${error.message}`);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.refill(entry);
        }, this.options.retryMs ?? 30_000);
        this.timers.add(timer);
      })
      .finally(() => {
        this.booting.set(entry, (this.booting.get(entry) ?? 1) - 1);
        this.inFlight.delete(task);
      });
    this.inFlight.add(task);
  }
}
