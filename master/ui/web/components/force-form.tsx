// "Force a build": a branch, tag, sha or PR of the served repository on this builder, with the
// properties the builder declares. Needs the admin token, asked once per tab (lib/admin-token.ts).
import { useState } from 'preact/hooks';
import type { ApiBuilderSummary } from '../../../api/schemas';
import { api } from '../lib/api';
import { withAdminToken } from '../lib/admin-token';
import { useInfo } from '../lib/info-context';
import { href } from '../lib/router';

export function ForceForm({ builder }: { builder: ApiBuilderSummary }) {
  const info = useInfo();
  const [ref, setRef] = useState('');
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(builder.properties.map((p) => [p.name, p.default])));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const answer = await withAdminToken('Force build', (token) => api.force(builder.name, { ref: ref.trim(), properties: values }, token));
      const build = answer?.builds[0];
      if (answer === null) return;
      if (!build) setMessage({ text: 'The master queued nothing: this commit is already queued or running.', error: false });
      else location.hash = href.build(build.id);
    } catch (error) {
      setMessage({ text: `Force build failed: ${(error as Error).message}`, error: true });
    } finally {
      setBusy(false);
    }
  }

  const why = info.actions ? undefined : 'No admin token is configured on the master (http.adminToken)';
  return (
    <details class="force">
      <summary>Force a build</summary>
      <form class="force-form" onSubmit={(e) => void submit(e)}>
        <label>
          <span>Branch, tag, commit or pull request</span>
          <input name="ref" required value={ref} placeholder="main, v1.2.0, a1b2c3d or #12" autoComplete="off" spellcheck={false} onInput={(e) => setRef(e.currentTarget.value)} />
        </label>
        {builder.properties.map((p) => (
          <label key={p.name}>
            <span>
              {p.name}
              {p.description ? <small class="muted"> {p.description}</small> : null}
            </span>
            {p.choices ? (
              <select name={p.name} value={values[p.name]} onChange={(e) => setValues({ ...values, [p.name]: e.currentTarget.value })}>
                {p.choices.map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            ) : (
              <input name={p.name} value={values[p.name]} onInput={(e) => setValues({ ...values, [p.name]: e.currentTarget.value })} />
            )}
          </label>
        ))}
        <div class="actions">
          <button type="submit" disabled={busy || !info.actions || ref.trim() === ''} title={why}>
            Build {builder.name}
          </button>
          <span class={message?.error ? 'action-msg error-text' : 'action-msg'} role="status" aria-live="polite">
            {message?.text}
          </span>
        </div>
      </form>
    </details>
  );
}
