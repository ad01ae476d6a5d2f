// The smee.io forwarder, when webhooks come through one: connected or not, last delivery, drops.
import type { ApiForwarder } from '../../../api/schemas';
import { RelTime } from './rel-time';

export function ForwarderPanel({ forwarder: f }: { forwarder: ApiForwarder | undefined }) {
  if (!f) return <section class="forwarder" aria-label="Webhook forwarder" />;
  if (!f.enabled) {
    return (
      <section class="forwarder" aria-label="Webhook forwarder">
        <p class="muted">No smee.io forwarder: webhooks come straight to this master.</p>
      </section>
    );
  }
  return (
    <section class="forwarder" aria-label="Webhook forwarder">
      <p>
        <span class={`conn ${f.connected ? 'on' : 'off'}`}>
          <span class="dot" aria-hidden="true" />
          smee forwarder {f.connected ? 'connected' : 'not connected'}
        </span>{' '}
        <a class="mono small" href={f.url} target="_blank" rel="noopener noreferrer">
          {f.url}
        </a>
      </p>
      <p class="muted small">
        {f.events.toLocaleString()} deliveries relayed · last <RelTime at={f.lastEventAt ? Date.parse(f.lastEventAt) : null} /> · {f.reconnects} reconnects
        {f.lastError ? <span class="error-text"> · {f.lastError}</span> : null}
      </p>
      <p class="muted small">
        passed on to the master: {f.forwarded.toLocaleString()} taken · {f.refused.toLocaleString()} refused · {f.failed.toLocaleString()} failed
        {f.lastFailure ? (
          <span class="error-text">
            {' '}· last {f.lastFailure.status === null ? 'failure' : `answer ${f.lastFailure.status}`} <RelTime at={Date.parse(f.lastFailure.at)} />: {f.lastFailure.error}
          </span>
        ) : null}
      </p>
    </section>
  );
}
