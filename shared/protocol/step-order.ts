// Step ids ("0", "1", "2.0", "2.10": position in the builder, children of a parallel group after
// a dot) in the order the builder runs them. Plain TypeScript with no imports, so the web UI's
// bundle can use it as well as the master.

/** "2.10" after "2.9": step ids compare number by number, a parent before its children. */
export function compareStepIds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
