import { useEffect } from 'preact/hooks';
import { useInfo } from './info-context';

/** Sets the tab title: "<page> · <CI title>". */
export function usePageTitle(page: string): void {
  const { title } = useInfo();
  useEffect(() => {
    document.title = page ? `${page} · ${title}` : title;
  }, [page, title]);
}
