import type { ApiBuilderSummary } from '../../../api/schemas';
import { href } from '../lib/router';
import { BadgeStrip } from './badge-strip';
import { BuilderState } from './builder-state';
import { BuilderWorkers } from './builder-workers';

/** One builder on the builders page: name and where it runs, state now, last builds. */
export function BuilderRow({ builder: b }: { builder: ApiBuilderSummary }) {
  const where = b.executor === 'vm' ? `VM ${b.image ?? ''}${b.arch ? ` (${b.arch})` : ''}` : 'host executor';
  return (
    <li class="builder-row" data-builder={b.name} data-state={b.state}>
      <div class="builder-id">
        <h2>
          <a href={href.builder(b.name)}>{b.name}</a>
        </h2>
        <span class="muted small">{where}</span>
        <BuilderWorkers builder={b} />
      </div>
      <BuilderState builder={b} />
      <BadgeStrip builds={b.recent} name={b.name} />
    </li>
  );
}
