import type { ApiArtifact } from '../../../api/schemas';
import { artifactUrl } from '../lib/api';

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

/** Files the build collected (JUnit XML, packages), to download. */
export function ArtifactList({ buildId, artifacts }: { buildId: number; artifacts: ApiArtifact[] }) {
  if (artifacts.length === 0) return null;
  return (
    <section class="artifacts" aria-labelledby="artifacts-title">
      <h2 id="artifacts-title">Artifacts</h2>
      <ul>
        {artifacts.map((a) => (
          <li key={a.id}>
            <a href={artifactUrl(buildId, a.id)} download>
              {a.path}
            </a>{' '}
            <span class="muted small">
              {a.kind} · {size(a.size)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
