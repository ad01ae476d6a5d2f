// The little of libvirt the VM executor needs, behind one interface: start a transient domain from
// XML, destroy it, list what runs. Two implementations: the native binding (`@unraid/libvirt`,
// N-API) when it loads, else the `virsh` command. Both talk to the same libvirtd through `uri`.
import { connectNativeLibvirt } from './libvirt-native.js';
import { connectVirsh } from './libvirt-virsh.js';

export interface Libvirt {
  /** Which implementation answered: `native` (@unraid/libvirt) or `virsh`. */
  readonly kind: 'native' | 'virsh';
  readonly uri: string;
  /** Start a transient domain (gone from libvirt once it stops). */
  createTransient(xml: string): Promise<void>;
  /** Stop a domain at once (pull the plug). A domain that is already gone is not an error. */
  destroy(name: string): Promise<void>;
  /** Names of the running domains. */
  listRunning(): Promise<string[]>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  uri: string;
  /** `virsh` skips the native binding (default: native when it loads). */
  prefer?: 'native' | 'virsh';
  /** Told which binding is used and why the native one was not. */
  onFallback?: (reason: string) => void;
}

export async function connectLibvirt(options: ConnectOptions): Promise<Libvirt> {
  if (options.prefer !== 'virsh') {
    try {
      return await connectNativeLibvirt(options.uri);
    } catch (error) {
      options.onFallback?.(`@unraid/libvirt unavailable (${(error as Error).message}); using virsh`);
    }
  }
  return connectVirsh(options.uri);
}

/** libvirt's "no such domain" (VIR_ERR_NO_DOMAIN) and "domain is not running" (VIR_ERR_OPERATION_INVALID), in either binding's words. */
export function isGoneError(message: string): boolean {
  return /no domain with matching name|Domain not found|domain is not running|not found: no domain|failed to get domain/i.test(message);
}
