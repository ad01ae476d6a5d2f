// A warm VM booted before an image switch is not handed to a build: take() destroys the ones that
// do not fit (another version's disk) and boots replacements, which resolve the current version.
import { describe, expect, it } from 'vitest';
import type { RunningVm } from '../../../worker/executor/vm/boot-vm.js';
import { WarmPool } from '../../../worker/executor/vm/warm-pool.js';
import { captureLogger } from '../../support/worker-build-spec.js';

describe('warm pool across an image switch', () => {
  it('drops warm VMs of the old version and refills with the new one', async () => {
    let current = 'deb-20261119';
    const destroyed: string[] = [];
    let n = 0;
    const logger = captureLogger();
    const pool = new WarmPool({
      entries: [{ image: 'deb', size: 1, memoryMiB: 1024, cpus: 1, network: false }],
      logger,
      boot: async () => {
        const name = `p${++n}`;
        const version = current;
        return { name, image: { name: 'deb', version, disk: `/img/deb/${version}/disk.qcow2` }, session: { alive: true }, timings: { totalMs: 1 }, destroy: async () => void destroyed.push(name) } as unknown as RunningVm;
      },
    });
    pool.fill();
    await pool.whenFull(2000);
    const spec = { memoryMiB: 1024, cpus: 1, network: false };
    current = 'deb-20261126';
    const fits = (vm: RunningVm) => vm.image.disk === `/img/deb/${current}/disk.qcow2`;
    expect(pool.take('deb', spec, fits)).toBeUndefined();
    expect(destroyed).toEqual(['p1']);
    expect(logger.lines.join('\n')).toContain('p1 runs deb-20261119 no longer current; destroyed');
    await pool.whenFull(2000);
    expect(pool.take('deb', spec, fits)?.image.version).toBe('deb-20261126');
    await pool.close();
  });
});
