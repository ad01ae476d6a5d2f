// The page frame: top bar, the current page by hash route, and the admin-token dialog.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiInfo } from '../../api/schemas';
import { api } from './lib/api';
import { FALLBACK_INFO, InfoContext } from './lib/info-context';
import { useLocation, type Route } from './lib/router';
import { NavBar } from './components/nav-bar';
import { TokenDialog } from './components/token-dialog';
import { BuildersPage } from './pages/builders-page';
import { BuilderPage } from './pages/builder-page';
import { BuildPage } from './pages/build-page';
import { WorkersPage } from './pages/workers-page';
import { QueuePage } from './pages/queue-page';
import { DeliveriesPage } from './pages/deliveries-page';
import { NotFoundPage } from './pages/not-found-page';

function Page({ route, query }: { route: Route; query: URLSearchParams }) {
  switch (route.page) {
    case 'builders':
      return <BuildersPage />;
    case 'builder':
      return <BuilderPage key={route.name} name={route.name} query={query} />;
    case 'build':
      return <BuildPage key={route.id} id={route.id} step={route.step} line={route.line} />;
    case 'workers':
      return <WorkersPage />;
    case 'queue':
      return <QueuePage query={query} />;
    case 'deliveries':
      return <DeliveriesPage query={query} />;
    case 'not-found':
      return <NotFoundPage path={route.path} />;
  }
}

/** Identifies a page (not its query): moving to another one resets scroll and focus. */
const pageKey = (r: Route) => (r.page === 'builder' ? `builder/${r.name}` : r.page === 'build' ? `build/${r.id}` : r.page);

export function App() {
  const { route, query } = useLocation();
  const [info, setInfo] = useState<ApiInfo>(FALLBACK_INFO);
  useEffect(() => {
    api.info().then(setInfo, () => undefined);
  }, []);

  const key = pageKey(route);
  const previous = useRef(key);
  useEffect(() => {
    if (previous.current === key) return;
    previous.current = key;
    scrollTo(0, 0);
    // Tell keyboard and screen reader users where they are now.
    requestAnimationFrame(() => (document.querySelector<HTMLElement>('main h1') ?? document.getElementById('main'))?.focus({ preventScroll: true }));
  }, [key]);

  return (
    <InfoContext.Provider value={info}>
      <NavBar page={route.page} />
      <main id="main" tabIndex={-1}>
        <Page route={route} query={query} />
      </main>
      <TokenDialog />
    </InfoContext.Provider>
  );
}
