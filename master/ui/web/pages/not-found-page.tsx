import { href } from '../lib/router';
import { usePageTitle } from '../lib/use-page-title';

export function NotFoundPage({ path }: { path: string }) {
  usePageTitle('Not found');
  return (
    <>
      <h1 tabIndex={-1}>No such page</h1>
      <p>
        Nothing lives at <code>#{path}</code>. Start from the <a href={href.builders()}>builders</a>.
      </p>
    </>
  );
}
