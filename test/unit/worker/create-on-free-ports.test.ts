// A VM's ports (its SSH forward, a restore's incoming state) are picked free on 127.0.0.1, and
// picked again when QEMU finds one taken meanwhile; any other failure is not retried.
import { describe, expect, it } from 'vitest';
import { createOnFreePorts } from '../../../worker/executor/vm/boot-vm.js';

describe('createOnFreePorts', () => {
  it('gives each name its own port and tries other ports when one was taken', async () => {
    const tried: Array<{ ssh: number; incoming: number }> = [];
    let creates = 0;
    const ports = await createOnFreePorts(
      async (xml) => {
        if (++creates < 3) throw new Error(`qemu: Failed to bind socket: Address already in use (${xml})`);
      },
      ['ssh', 'incoming'],
      (picked) => {
        tried.push(picked);
        return `ssh ${picked.ssh} incoming ${picked.incoming}`;
      },
    );
    expect(tried).toHaveLength(3);
    expect(ports).toEqual(tried[2]);
    for (const picked of tried) {
      expect(picked.ssh).not.toBe(picked.incoming);
      expect(picked.ssh).toBeGreaterThan(0);
    }
  });

  it('gives up after five tries, and at once on other errors', async () => {
    let calls = 0;
    const failWith = (message: string) => async () => {
      calls++;
      throw new Error(message);
    };
    await expect(createOnFreePorts(failWith('Could not set up host forwarding rule'), ['ssh'], () => 'xml')).rejects.toThrow('host forwarding');
    expect(calls).toBe(5);
    calls = 0;
    await expect(createOnFreePorts(failWith('no such machine type'), ['ssh'], () => 'xml')).rejects.toThrow('no such machine type');
    expect(calls).toBe(1);
  });
});
