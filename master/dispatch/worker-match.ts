// Which workers can run which builder: the one rule, used by the dispatcher on connected workers
// and by the UI on what is known of every worker.
import type { BuilderConfig, Config } from '../../shared/config.js';

export interface BuilderNeeds {
  arch: string | undefined;
  labels: string[];
  image: string | undefined;
}

/** What a builder asks of a worker: an arch (its own, else its image's), labels, its VM image. */
export function builderNeeds(b: BuilderConfig, config: Config): BuilderNeeds {
  return { arch: b.arch ?? (b.vm ? config.images[b.vm.image]?.arch : undefined), labels: b.labels, image: b.vm?.image };
}

/** Unknown arch or images (a worker never seen) match nothing that asks for them. */
export function workerMatches(w: { arch: readonly string[] | null; labels: readonly string[]; images: readonly string[] | null }, need: BuilderNeeds): boolean {
  if (need.arch && !(w.arch ?? []).includes(need.arch)) return false;
  if (!need.labels.every((l) => w.labels.includes(l))) return false;
  return !need.image || (w.images ?? []).includes(need.image);
}
