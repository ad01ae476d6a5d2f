import type { BuilderConfig, Config } from '../../shared/config.js';
import { builderNeeds } from '../dispatch/worker-match.js';

/** A configured builder as the API shows it (both builder lists share it). */
export function describeBuilder(b: BuilderConfig, config: Config) {
  return {
    name: b.name,
    executor: b.executor,
    image: b.vm?.image ?? null,
    arch: builderNeeds(b, config).arch ?? null,
    labels: b.labels,
    max_concurrent: b.maxConcurrent ?? null,
    steps: b.steps.map((s) => s.name),
  };
}
