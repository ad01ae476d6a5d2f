// Tests that need something from the machine (libvirtd, Chromium, shellcheck, systemd-analyze, the
// cached Debian root, root itself) decide here whether to run. On a developer's machine a missing
// prerequisite skips them, printing why; in CI (CI=true) it fails the run, because there a skip
// would let a run pass that tested nothing.

/** Whether this run is CI: `CI` set to true, 1 or yes (as CI services and .ci/run set it). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(true|1|yes)$/i.test(env.CI ?? '');
}

/**
 * `missing` is why the prerequisite is not there, or undefined when it is. Returns true when the
 * tests can run; false (after printing the reason) when they must skip; throws in CI.
 */
export function requirePrerequisite(tests: string, missing: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (missing === undefined) return true;
  if (inCi(env)) throw new Error(`${tests}: ${missing}. In CI (CI=${env.CI}) a missing prerequisite fails the run instead of skipping.`);
  console.warn(`${tests} skipped: ${missing}`);
  return false;
}
