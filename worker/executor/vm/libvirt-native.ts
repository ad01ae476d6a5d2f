// Libvirt through @unraid/libvirt (a maintained N-API binding of node-libvirt's lineage). It is an
// optional dependency, loaded on demand: when its native part did not build (no libvirt-dev), npm
// leaves it out and the caller falls back to virsh. So its types are not imported either: the few
// calls used here are declared below.
import { isGoneError, type Libvirt } from './libvirt.js';

interface NativeDomain {
  readonly brand?: 'domain';
}

interface NativeHypervisor {
  connectOpen(): Promise<void>;
  connectClose(): Promise<void>;
  domainCreateXML(xml: string): Promise<NativeDomain>;
  domainLookupByName(name: string): Promise<NativeDomain>;
  domainDestroy(domain: NativeDomain): Promise<void>;
  domainResume(domain: NativeDomain): Promise<void>;
  domainSuspend(domain: NativeDomain): Promise<void>;
  /** flags 1 = VIR_CONNECT_LIST_DOMAINS_ACTIVE */
  connectListAllDomains(flags?: number): Promise<NativeDomain[]>;
  domainGetName(domain: NativeDomain): Promise<string>;
}

const MODULE = '@unraid/libvirt';

export async function connectNativeLibvirt(uri: string): Promise<Libvirt> {
  const binding = (await import(MODULE)) as { Hypervisor: new (options: { uri: string }) => NativeHypervisor };
  const hypervisor = new binding.Hypervisor({ uri });
  await hypervisor.connectOpen();
  return {
    kind: 'native',
    uri,
    async createTransient(xml, options) {
      const domain = await hypervisor.domainCreateXML(xml);
      // The binding passes no flags (VIR_DOMAIN_START_PAUSED): paused right after instead. A QEMU
      // waiting for its state (-incoming) has not run the guest meanwhile, and keeps the saved
      // state's "paused" once loaded; this makes libvirt see it paused too, so that resume runs it.
      if (options?.paused) await hypervisor.domainSuspend(domain);
    },
    async resume(name) {
      await hypervisor.domainResume(await hypervisor.domainLookupByName(name));
    },
    async destroy(name) {
      try {
        const domain = await hypervisor.domainLookupByName(name);
        await hypervisor.domainDestroy(domain);
      } catch (error) {
        if (!isGoneError((error as Error).message)) throw error;
      }
    },
    async listRunning() {
      // ACTIVE = 1: the running ones; transient domains exist only while they run.
      const domains = await hypervisor.connectListAllDomains(1);
      return Promise.all(domains.map((d) => hypervisor.domainGetName(d)));
    },
    async close() {
      await hypervisor.connectClose().catch(() => {});
    },
  };
}
