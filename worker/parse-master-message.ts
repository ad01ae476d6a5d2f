// Messages from the master, checked for the fields the worker relies on before it acts on them.
// Unknown types are ignored (undefined), so a newer master can add messages without breaking us.
import type { MasterMessage } from '../shared/protocol.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);

export function parseMasterMessage(text: string): MasterMessage | undefined {
  const value: unknown = JSON.parse(text);
  if (!isObj(value) || typeof value.type !== 'string') throw new Error('expected an object with a "type"');
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${value.type}: expected ${what}`);
  };
  switch (value.type) {
    case 'welcome':
      need(isInt(value.protocol) && isInt(value.ackedSeq), 'integer protocol and ackedSeq');
      need(value.cancel === undefined || (Array.isArray(value.cancel) && value.cancel.every(isInt)), 'cancel as a list of build ids');
      return {
        type: 'welcome', protocol: value.protocol as number, ackedSeq: value.ackedSeq as number, cancel: (value.cancel as number[] | undefined) ?? [],
        ...(Array.isArray(value.features) ? { features: value.features.filter((f): f is string => typeof f === 'string') } : {}),
      };
    case 'refused':
      need(typeof value.reason === 'string', 'a reason');
      return value as unknown as MasterMessage;
    case 'ack':
      need(isInt(value.seq), 'an integer seq');
      return value as unknown as MasterMessage;
    case 'build.cancel':
      need(isInt(value.buildId), 'an integer buildId');
      return { type: 'build.cancel', buildId: value.buildId as number, reason: typeof value.reason === 'string' ? value.reason : '' };
    case 'build.start': {
      const b = value.build;
      need(isObj(b), 'a build');
      const build = b as Obj;
      need(isInt(build.buildId), 'build.buildId');
      need(Array.isArray(build.steps) && build.steps.every(isObj), 'build.steps as a list');
      need(isObj(build.env) && Array.isArray(build.secrets), 'build.env and build.secrets');
      need(typeof build.timeoutMs === 'number' && build.timeoutMs > 0, 'a positive build.timeoutMs');
      need(build.executor === 'host' || build.executor === 'vm', 'build.executor "host" or "vm"');
      return value as unknown as MasterMessage;
    }
    default:
      return undefined;
  }
}
