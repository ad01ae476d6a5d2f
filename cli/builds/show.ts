// `gatehouse builds show <id>`: one build and its steps.
import { buildList } from '../../master/api/schemas/builds.js';
import { stepList } from '../../master/api/schemas/steps.js';
import type { MasterApi } from './master-api.js';
import { ago, formatTable } from './format-table.js';
import { buildState, buildTarget } from './build-line.js';
import type { Output } from './output.js';

export async function showBuild(api: MasterApi, id: number, o: { json?: boolean }, out: Output): Promise<void> {
  const [{ builds }, { steps }] = await Promise.all([api.get(`/api/v2/builds/${id}`, buildList), api.get(`/api/v2/builds/${id}/steps`, stepList)]);
  const build = builds[0]!;
  if (o.json) return out.json({ build, steps });
  const now = out.now();
  const fields: Array<[string, string | null]> = [
    ['build', `${build.builder} #${build.number} (id ${build.id})`],
    ['state', buildState(build)],
    ['reason', build.result_reason],
    ['built', `${build.repo} ${buildTarget(build)}`],
    ['sha', build.sha],
    ['why', build.reason],
    ['worker', build.worker],
    ['created', `${new Date(build.created_at).toISOString()} (${ago(build.created_at, now)})`],
    ['finished', build.finished_at ? new Date(build.finished_at).toISOString() : null],
  ];
  for (const [name, value] of fields) if (value) out.line(`${`${name}:`.padEnd(10)}${value}`);
  if (steps.length === 0) return;
  out.line('');
  out.line(formatTable(['STEP', 'NAME', 'STATE', 'TIME', 'LOG'], steps.map((s) => [
    s.step, s.name, s.state === 'finished' ? (s.result ?? 'finished') : s.state, s.duration_ms === null ? '' : `${(s.duration_ms / 1000).toFixed(1)}s`, `${s.log_bytes} B`,
  ])));
}
