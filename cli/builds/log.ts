// `gatehouse builds log <id> [step] [--follow]`: a step's log, or every step's in order. With
// --follow, a running step is tailed live over the API's SSE stream (…/log/live) until it ends,
// and without a step named, each step in turn until the build finishes.
import { buildList } from '../../master/api/schemas/builds.js';
import { stepList, type ApiStep } from '../../master/api/schemas/steps.js';
import { liveLogEvent } from '../../master/api/schemas/logs.js';
import { MasterApiError, type MasterApi } from './master-api.js';
import { EXIT } from './exit-codes.js';
import { readSse } from './read-sse.js';
import type { Output } from './output.js';

export interface LogOptions {
  follow?: boolean;
  /** How often a followed build is looked at while its next step has not started (default 500 ms). */
  pollMs?: number;
}

export async function showLog(api: MasterApi, id: number, step: string | undefined, o: LogOptions, out: Output): Promise<void> {
  const steps = async () => (await api.get(`/api/v2/builds/${id}/steps`, stepList)).steps;
  if (step !== undefined) {
    if (!(await steps()).some((s) => s.step === step)) throw new MasterApiError(`no step ${step} in build ${id}`, EXIT.notFound, 'step_not_found');
    return o.follow ? follow(api, id, step, out) : out.write(await (await api.raw(`/api/v2/builds/${id}/steps/${step}/log`)).text());
  }
  const done = new Set<string>();
  const finished = async () => (await api.get(`/api/v2/builds/${id}`, buildList)).builds[0]?.state === 'finished';
  for (;;) {
    // Followed, the build is read before its steps: once it is seen finished, the steps read after
    // it hold every step it ran (a worker's steps come before its build.finished). Read the other
    // way round, a step that started in between was missed.
    const ended = o.follow && (await finished());
    const all = await steps();
    const next = all.find((s) => !done.has(s.step) && (s.state !== 'pending' || !o.follow));
    if (next) {
      done.add(next.step);
      if (next.log_bytes === 0 && (next.state === 'finished' || !o.follow)) continue;
      out.line(header(next));
      if (o.follow) await follow(api, id, next.step, out);
      else out.write(await (await api.raw(`/api/v2/builds/${id}/steps/${next.step}/log`)).text());
      continue;
    }
    if (!o.follow) return;
    // A finished build with steps never started (halted, cancelled) has nothing more to show.
    if (ended && all.every((s) => done.has(s.step) || s.state === 'pending')) return;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
  }
}

function header(s: ApiStep): string {
  return `==> step ${s.step} ${s.name} <==`;
}

/** Tail one step from its first byte until the master says it ended. */
async function follow(api: MasterApi, id: number, step: string, out: Output): Promise<void> {
  const res = await api.raw(`/api/v2/builds/${id}/steps/${step}/log/live?from=0`);
  for await (const frame of readSse(res)) {
    const parsed = liveLogEvent.safeParse(frame);
    if (!parsed.success) throw new MasterApiError(`the live log of step ${step} sent an event this CLI does not know: ${JSON.stringify(frame).slice(0, 100)}`, EXIT.failed);
    if (parsed.data.event === 'log') out.write(parsed.data.data.text);
    else return;
  }
  throw new MasterApiError(`the live log of step ${step} ended before the step did`, EXIT.failed);
}
