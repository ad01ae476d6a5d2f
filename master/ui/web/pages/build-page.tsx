// #/builds/:id: one build: its facts, Rebuild/Cancel, JUnit results, its steps with logs, and what it
// reported (commit statuses, the logs branch).
import { useRef, useState } from 'preact/hooks';
import { api } from '../lib/api';
import { buildStatus } from '../lib/format';
import { defaultOpen, mergeSteps } from '../lib/merge-steps';
import { href } from '../lib/router';
import { useLive } from '../lib/use-live';
import { usePageTitle } from '../lib/use-page-title';
import { ArtifactList } from '../components/artifact-list';
import { BuildActions } from '../components/build-actions';
import { BuildHeader } from '../components/build-header';
import { ErrorNote } from '../components/error-note';
import { JunitResults } from '../components/junit-results';
import { ReportingPanel } from '../components/reporting-panel';
import { StatusPill } from '../components/status-pill';
import { StepList } from '../components/step-list';

/** `step` (and `line`): a deep link: that step's log is opened and scrolled to, and the line marked. */
export function BuildPage({ id, step, line }: { id: number; step?: string; line?: number }) {
  const build = useLive(`build:${id}`, (s) => api.build(id, s), (e) => (e.type === 'build' && e.build.id === id) || (e.type === 'cancel-requested' && e.buildId === id));
  const steps = useLive(`steps:${id}`, (s) => api.steps(id, s), (e) => (e.type === 'step' && e.buildId === id) || (e.type === 'build' && e.build.id === id));
  const extras = useLive(
    `extras:${id}`,
    async (s) => ({ junit: await api.junit(id, s), artifacts: (await api.artifacts(id, s)).artifacts }),
    (e) => (e.type === 'step' && e.buildId === id) || (e.type === 'build' && e.build.id === id && e.build.state === 'finished'),
  );
  // Statuses and the logs branch change after the build's own events; each of its events reloads them.
  const reporting = useLive(`reporting:${id}`, (s) => api.reporting(id, s), (e) => e.type === 'build' && e.build.id === id);
  const config = useLive('builder-config', (s) => api.builders(s), () => false);
  const b = build.data;
  usePageTitle(b ? `${b.builder} #${b.number}` : `Build ${id}`);

  // Which logs are open: the failed or running steps, gathered as the build goes (so an open log
  // never closes under the reader), until the reader opens or closes one by hand.
  const auto = useRef(new Set<string>());
  const [chosen, setChosen] = useState<{ id: number; open: Set<string> } | null>(null);
  const builder = config.data?.builders.find((c) => c.name === b?.builder);
  const shown = steps.data ? mergeSteps(steps.data.steps, builder?.steps ?? [], b?.state === 'finished') : [];
  for (const s of defaultOpen(shown)) auto.current.add(s);
  if (step !== undefined) auto.current.add(step);
  const open = chosen?.id === id ? chosen.open : auto.current;
  const toggle = (step: string) => {
    const next = new Set(open);
    if (next.has(step)) next.delete(step);
    else next.add(step);
    setChosen({ id, open: next });
  };

  if (build.error && !b) return <ErrorNote error={build.error} retry={build.reload} />;
  if (!b) return <p class="muted">Loading build {id}…</p>;
  return (
    <>
      <div class="page-head">
        <p class="crumbs">
          <a href={href.builders()}>Builders</a> / <a href={href.builder(b.builder)}>{b.builder}</a> /
        </p>
        <div class="title-row">
          <h1 tabIndex={-1}>
            {b.builder} #{b.number}
          </h1>
          <StatusPill status={buildStatus(b)} />
          <BuildActions build={b} />
        </div>
      </div>
      <BuildHeader build={b} image={builder?.image ?? null} />
      {extras.data ? <JunitResults junit={extras.data.junit} /> : null}
      <section aria-labelledby="steps-title">
        <h2 id="steps-title">Steps</h2>
        {steps.error ? <ErrorNote error={steps.error} retry={steps.reload} /> : null}
        {steps.data ? <StepList buildId={id} steps={shown} open={open} onToggle={toggle} target={step !== undefined ? { step, line } : undefined} /> : <p class="muted">Loading steps…</p>}
      </section>
      {extras.data ? <ArtifactList buildId={id} artifacts={extras.data.artifacts} /> : null}
      {reporting.data ? <ReportingPanel reporting={reporting.data} /> : null}
    </>
  );
}
