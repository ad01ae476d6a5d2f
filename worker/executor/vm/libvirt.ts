// The little of libvirt the VM executor needs, behind one interface: start a transient domain from
// XML, resume it, destroy it, list what runs. Two implementations import it: the native binding
// (libvirt-native.ts, `@unraid/libvirt`) and the `virsh` command (libvirt-virsh.ts); connect-libvirt.ts
// picks one. Both talk to the same libvirtd through `uri`.

export interface Libvirt {
  /** Which implementation answered: `native` (@unraid/libvirt) or `virsh`. */
  readonly kind: 'native' | 'virsh';
  readonly uri: string;
  /**
   * Start a transient domain (gone from libvirt once it stops); `paused`: its CPUs stopped, for a
   * QEMU that waits for its state (`-incoming`) and is resumed once that is loaded.
   */
  createTransient(xml: string, options?: { paused?: boolean }): Promise<void>;
  /** Run a paused domain (one restored from a snapshot). */
  resume(name: string): Promise<void>;
  /** Stop a domain at once (pull the plug). A domain that is already gone is not an error. */
  destroy(name: string): Promise<void>;
  /** Names of the running domains. */
  listRunning(): Promise<string[]>;
  close(): Promise<void>;
}

/** libvirt's "no such domain" (VIR_ERR_NO_DOMAIN) and "domain is not running" (VIR_ERR_OPERATION_INVALID), in either binding's words. */
export function isGoneError(message: string): boolean {
  return /no domain with matching name|Domain not found|domain is not running|not found: no domain|failed to get domain/i.test(message);
}
