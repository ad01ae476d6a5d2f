// Rebuild and Cancel. Both need the admin token, asked once per tab (lib/admin-token.ts).
import { useState } from 'preact/hooks';
import type { ApiBuild } from '../../../api/schemas';
import { api } from '../lib/api';
import { withAdminToken } from '../lib/admin-token';
import { useInfo } from '../lib/info-context';
import { href } from '../lib/router';

export function BuildActions({ build }: { build: ApiBuild }) {
  const info = useInfo();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function act(what: string, action: (token: string) => Promise<ApiBuild | undefined>, done: (b: ApiBuild | undefined) => string): Promise<void> {
    setBusy(true);
    setMessage(null);
    try {
      const result = await withAdminToken(what, action);
      if (result !== null) setMessage({ text: done(result), error: false });
    } catch (error) {
      setMessage({ text: `${what} failed: ${(error as Error).message}`, error: true });
    } finally {
      setBusy(false);
    }
  }

  const rebuild = () =>
    act('Rebuild', async (token) => (await api.rebuild(build.builder, build.id, token)).builds[0], (b) => {
      if (!b) return 'The master queued nothing for this rebuild.';
      location.hash = href.build(b.id);
      return `Queued ${b.builder} #${b.number}.`;
    });
  const cancel = () =>
    act('Cancel', async (token) => (await api.cancel(build.id, token)).builds[0], (b) =>
      b?.state === 'finished' ? 'Cancelled.' : 'Cancel requested: the worker stops the build and runs its always-steps.',
    );

  const cancellable = build.state !== 'finished' && !build.cancel_requested;
  const why = info.actions ? undefined : 'No admin token is configured on the master (http.adminToken)';
  return (
    <div class="actions">
      <button type="button" onClick={rebuild} disabled={busy || !info.actions} title={why}>
        Rebuild
      </button>
      {build.state !== 'finished' ? (
        <button type="button" class="danger" onClick={cancel} disabled={busy || !cancellable || !info.actions} title={why ?? (cancellable ? undefined : 'Cancel already requested')}>
          Cancel
        </button>
      ) : null}
      <span class={message?.error ? 'action-msg error-text' : 'action-msg'} role="status" aria-live="polite">
        {message?.text}
      </span>
    </div>
  );
}
