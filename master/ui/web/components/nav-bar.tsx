import type { Route } from '../lib/router';
import { href } from '../lib/router';
import { useInfo } from '../lib/info-context';
import { LiveStatus } from './live-status';

const LINKS: Array<{ label: string; href: string; pages: Route['page'][] }> = [
  { label: 'Builders', href: href.builders(), pages: ['builders', 'builder', 'build'] },
  { label: 'Queue', href: href.queue(), pages: ['queue'] },
  { label: 'Workers', href: href.workers(), pages: ['workers'] },
  { label: 'Deliveries', href: href.deliveries(), pages: ['deliveries'] },
];

export function NavBar({ page }: { page: Route['page'] }) {
  const info = useInfo();
  return (
    <header class="topbar">
      <a class="skip" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <a class="brand" href={href.builders()}>
        {info.title}
      </a>
      <nav aria-label="Pages">
        <ul>
          {LINKS.map((l) => (
            <li key={l.href}>
              <a href={l.href} aria-current={l.pages.includes(page) ? 'page' : undefined}>
                {l.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <LiveStatus />
    </header>
  );
}
