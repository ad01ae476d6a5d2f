// The file `virsh save` writes: libvirt's header (a 92-byte struct, then the domain XML padded to
// `data_len` bytes), then QEMU's own migration stream. A restore streams only that QEMU part into
// a fresh QEMU (restore-vm.ts); the XML tells the exact machine type the state was saved from.
import { open } from 'node:fs/promises';
import { endianness } from 'node:os';

const MAGIC = 'LibvirtQemudSave';
const HEADER_BYTES = 92;

export interface SaveFileHeader {
  /** Where QEMU's migration stream starts. */
  qemuOffset: number;
  /** The saved domain's XML. */
  xml: string;
  /** The resolved machine type of the saved domain (e.g. pc-i440fx-7.2, pseries-7.2). */
  machine: string;
  domainType: 'kvm' | 'qemu';
  /** The kernel command line the saved guest booted with. */
  cmdline: string;
}

export async function readSaveFileHeader(file: string): Promise<SaveFileHeader> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEADER_BYTES, 0);
    if (bytesRead < HEADER_BYTES || head.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error(`${file} is not a libvirt save file`);
    // libvirt writes the struct in host byte order; the worker reads the files its own libvirtd wrote.
    const u32 = (at: number) => (endianness() === 'BE' ? head.readUInt32BE(at) : head.readUInt32LE(at));
    const dataLen = u32(20);
    const compressed = u32(28);
    if (compressed !== 0) throw new Error(`${file} is compressed (format ${compressed}); only raw save files can be streamed`);
    const data = Buffer.alloc(dataLen);
    const xmlRead = await handle.read(data, 0, dataLen, HEADER_BYTES);
    if (xmlRead.bytesRead < dataLen) throw new Error(`${file} is cut short inside its header`);
    const xml = data.toString('utf8').replace(/\0+$/, '');
    const machine = /<type [^>]*machine=['"]([^'"]+)['"]/.exec(xml)?.[1];
    const domainType = /<domain type=['"](kvm|qemu)['"]/.exec(xml)?.[1] as 'kvm' | 'qemu' | undefined;
    if (!machine || !domainType) throw new Error(`${file}: the saved domain XML names no machine type or domain type`);
    const cmdline = unescapeXml(/<cmdline>([^<]*)<\/cmdline>/.exec(xml)?.[1] ?? '');
    return { qemuOffset: HEADER_BYTES + dataLen, xml, machine, domainType, cmdline };
  } finally {
    await handle.close();
  }
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name] ?? '');
}
