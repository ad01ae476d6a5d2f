// JUnit results of a build: the counts, then each failure and error with its message and trace.
import type { ApiJunit, ApiJunitFailure } from '../../../api/schemas';
import { StatusPill } from './status-pill';

function FailureItem({ f }: { f: ApiJunitFailure }) {
  return (
    <li class="case">
      <details open>
        <summary>
          <StatusPill status={f.kind} label={f.kind === 'failure' ? 'failed' : 'error'} />{' '}
          <span class="case-name">
            {f.classname ? `${f.classname}.` : ''}
            {f.name}
          </span>
        </summary>
        {f.message ? <p class="case-message">{f.message}</p> : null}
        {f.detail && f.detail !== f.message ? <pre class="case-detail">{f.detail}</pre> : null}
      </details>
    </li>
  );
}

export function JunitResults({ junit: j }: { junit: ApiJunit }) {
  if (j.files.length === 0) return null;
  const passed = j.tests - j.failed - j.skipped;
  return (
    <section class="junit" aria-labelledby="junit-title">
      <h2 id="junit-title">Tests</h2>
      <p class="junit-totals">
        <strong>{j.tests.toLocaleString()}</strong> tests: <span class="t-pass">{passed.toLocaleString()} passed</span>
        {j.failed ? <span class="t-fail">, {j.failed.toLocaleString()} failed</span> : null}
        {j.skipped ? <span>, {j.skipped.toLocaleString()} skipped</span> : null}
        <span class="muted small"> — from {j.files.join(', ')}</span>
      </p>
      {j.failures.length > 0 ? (
        <ul class="cases">
          {j.failures.map((f, i) => (
            <FailureItem key={i} f={f} />
          ))}
        </ul>
      ) : null}
      {j.failed > j.failures.length ? <p class="muted small">…and {(j.failed - j.failures.length).toLocaleString()} more failures (see the JUnit files).</p> : null}
      {j.unreadable.map((u) => (
        <p key={u} class="warn small">
          Not read: {u}
        </p>
      ))}
    </section>
  );
}
