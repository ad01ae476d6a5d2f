// Which libvirt implementation a worker uses: the native binding when it loads, else `virsh`.
import type { Libvirt } from './libvirt.js';
import { connectNativeLibvirt } from './libvirt-native.js';
import { connectVirsh } from './libvirt-virsh.js';

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
