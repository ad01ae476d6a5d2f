import { useEffect, useState } from 'preact/hooks';
import { onStatus, type StreamStatus } from '../lib/events';

const TEXT: Record<StreamStatus, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' };

/** Whether the page is receiving live updates right now. */
export function LiveStatus() {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  useEffect(() => onStatus(setStatus), []);
  return (
    <span class={`stream stream-${status}`} role="status" title="Live updates from the master (one event stream)">
      <span class="dot" aria-hidden="true" />
      {TEXT[status]}
    </span>
  );
}
