// The life of an image family's versions, as pure functions over its state (state.json):
//   build → `candidate` → verify: booted, SSH host key as in the manifest, smoke commands pass →
//   `current` (the one it replaces becomes `previous`), or `failed`.
//   A version that is not current and unused (no build took it) for keepDays becomes `obsolete`;
//   keepDays after that it is deleted. The current one, one pinned by config (image `version`) and
//   one a running VM boots from are neither marked nor deleted.
// Times are ISO strings in the file (readable), milliseconds in the arguments.

export type VersionState = 'candidate' | 'current' | 'previous' | 'obsolete' | 'failed';

export interface ImageVersion {
  /** The directory name: <family>-YYYYMMDD[.N]. */
  name: string;
  state: VersionState;
  builtAt: string;
  verifiedAt?: string;
  /** Why verification failed. */
  failure?: string;
  /** When it stopped being current. */
  retiredAt?: string;
  /** When a build last booted it. */
  lastUsedAt?: string;
  obsoleteAt?: string;
  /** The manifest's recipe hash, when it has one. */
  recipe?: string;
}

export interface FamilyState {
  family: string;
  /** The version builds boot; undefined until one passes verification. */
  current?: string;
  versions: ImageVersion[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const ms = (text: string | undefined) => (text === undefined ? 0 : Date.parse(text));

export function emptyState(family: string): FamilyState {
  return { family, versions: [] };
}

/** <family>-YYYYMMDD (UTC), then <family>-YYYYMMDD.2, .3… when that day already has one. */
export function nextVersionName(family: string, taken: readonly string[], now: number): string {
  const base = `${family}-${iso(now).slice(0, 10).replaceAll('-', '')}`;
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}.${n}`)) return `${base}.${n}`;
}

function withVersion(state: FamilyState, name: string, change: (v: ImageVersion) => ImageVersion): FamilyState {
  if (!state.versions.some((v) => v.name === name)) throw new Error(`image ${state.family} has no version "${name}" (it has: ${state.versions.map((v) => v.name).join(', ') || 'none'})`);
  return { ...state, versions: state.versions.map((v) => (v.name === name ? change(v) : v)) };
}

export function addCandidate(state: FamilyState, name: string, builtAt: number, recipe?: string): FamilyState {
  if (state.versions.some((v) => v.name === name)) throw new Error(`image ${state.family} already has a version "${name}"`);
  return { ...state, versions: [...state.versions, { name, state: 'candidate', builtAt: iso(builtAt), ...(recipe ? { recipe } : {}) }] };
}

/** A verified version becomes current (the old current becomes previous); a failed one is `failed` and current stays. */
export function recordVerification(state: FamilyState, name: string, at: number, failure?: string): FamilyState {
  if (failure !== undefined) return withVersion(state, name, (v) => ({ ...v, state: v.name === state.current ? v.state : 'failed', failure, verifiedAt: iso(at) }));
  const verified = withVersion(state, name, (v) => {
    const { failure: _dropped, obsoleteAt: _also, ...rest } = v;
    // A version that failed before (a boot timed out on a busy host) passes when verified again.
    return { ...rest, state: v.state === 'failed' ? 'candidate' : v.state, verifiedAt: iso(at) };
  });
  return switchTo(verified, name, at);
}

/** Make `name` current (it must have passed verification). */
export function switchTo(state: FamilyState, name: string, at: number): FamilyState {
  const target = state.versions.find((v) => v.name === name);
  if (!target) throw new Error(`image ${state.family} has no version "${name}"`);
  if (!target.verifiedAt || target.state === 'failed') throw new Error(`image ${state.family}: version "${name}" has not passed verification`);
  return {
    ...state,
    current: name,
    versions: state.versions.map((v) => {
      if (v.name === name) {
        const { retiredAt: _r, obsoleteAt: _o, ...rest } = v;
        return { ...rest, state: 'current' };
      }
      if (v.name === state.current) return { ...v, state: 'previous', retiredAt: iso(at) };
      return v;
    }),
  };
}

export function markUsed(state: FamilyState, name: string, at: number): FamilyState {
  return withVersion(state, name, (v) => {
    const { obsoleteAt: _o, ...rest } = v;
    // A build on an obsolete version (pinned meanwhile) brings it back.
    return { ...rest, state: v.state === 'obsolete' ? 'previous' : v.state, lastUsedAt: iso(at) };
  });
}

/** The last time a version counted as used: built, verified, current until, or booted by a build. */
export function lastActivity(v: ImageVersion): number {
  return Math.max(ms(v.builtAt), ms(v.verifiedAt), ms(v.retiredAt), ms(v.lastUsedAt));
}

export interface PruneInput {
  now: number;
  keepDays: number;
  /** Versions a config names (image `version`): never obsolete, never deleted. */
  pinned: ReadonlySet<string>;
  /** Versions a running VM boots from (an overlay on their disk): never deleted. */
  inUse: ReadonlySet<string>;
}

export interface PrunePlan {
  markObsolete: string[];
  remove: string[];
  /** Versions kept though they qualify, and why. */
  kept: Array<{ name: string; why: string }>;
}

export function planPrune(state: FamilyState, input: PruneInput): PrunePlan {
  const keep = input.keepDays * DAY_MS;
  const plan: PrunePlan = { markObsolete: [], remove: [], kept: [] };
  for (const v of state.versions) {
    const protectedWhy = v.name === state.current ? 'current' : input.pinned.has(v.name) ? 'pinned by the config' : input.inUse.has(v.name) ? 'in use by a running VM' : undefined;
    if (v.state === 'obsolete') {
      if (input.now - ms(v.obsoleteAt) < keep) continue;
      if (protectedWhy) plan.kept.push({ name: v.name, why: protectedWhy });
      else plan.remove.push(v.name);
    } else if (v.state !== 'current' && input.now - lastActivity(v) >= keep) {
      if (protectedWhy) plan.kept.push({ name: v.name, why: protectedWhy });
      else plan.markObsolete.push(v.name);
    }
  }
  return plan;
}

/** The state after a plan: obsolete ones stamped, removed ones gone (their directories are deleted by the caller). */
export function applyPrune(state: FamilyState, plan: PrunePlan, now: number): FamilyState {
  return {
    ...state,
    versions: state.versions
      .filter((v) => !plan.remove.includes(v.name))
      .map((v) => (plan.markObsolete.includes(v.name) ? { ...v, state: 'obsolete' as const, obsoleteAt: iso(now) } : v)),
  };
}

/** Whether a rebuild is due: no version yet, or the newest (whatever came of it) is older than `everyMs` (0: never). A failed build is thus retried after `everyMs`, not hourly. */
export function rebuildDue(state: FamilyState, now: number, everyMs: number): boolean {
  if (everyMs <= 0) return false;
  if (state.versions.length === 0) return true;
  return now - Math.max(...state.versions.map((v) => ms(v.builtAt))) >= everyMs;
}
