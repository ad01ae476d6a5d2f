// "owner/name" linking to the repository on GitHub: a master may serve several, so every build
// says which one it belongs to. Narrow screens show the name alone (the owner is in the tooltip).
import { repoUrl, useInfo } from '../lib/info-context';

export function RepoLink({ repo }: { repo: string | null }) {
  const info = useInfo();
  if (!repo) return <span class="muted">—</span>;
  const slash = repo.indexOf('/');
  return (
    <a class="repo" href={repoUrl(info, repo)} target="_blank" rel="noopener noreferrer" title={repo}>
      <span class="repo-owner">{repo.slice(0, slash + 1)}</span>
      {repo.slice(slash + 1)}
    </a>
  );
}
