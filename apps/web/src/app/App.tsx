import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { matchRoute, usePath } from './router.ts';
import { Link } from './Link.tsx';
import { SendPage } from '../send/SendPage.tsx';
import { ReceivePage } from '../receive/ReceivePage.tsx';
import { LinksPage } from '../links/LinksPage.tsx';
import { AdminPage } from '../admin/AdminPage.tsx';
import { KeysPage } from '../keys/KeysPage.tsx';
import { RequestsPage } from '../keys/RequestsPage.tsx';
import { RequestSendPage } from '../keys/RequestSendPage.tsx';

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
});

export function App() {
  const path = usePath();
  const route = matchRoute(path);
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(path);

  // After an in-app navigation, move focus to the new page's content so screen
  // readers announce it; on first load leave focus alone (autofocus fields keep it).
  useEffect(() => {
    if (path === firstPath.current) return;
    firstPath.current = '';
    main.current?.focus();
  }, [path]);

  return (
    <QueryClientProvider client={queryClient}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link href="/" className="brand" aria-label="Sealdrop home">
          Sealdrop
        </Link>
        <nav aria-label="Main">
          <Link href="/" aria-current={route.page === 'send' ? 'page' : undefined}>
            Send
          </Link>
          <Link href="/links" aria-current={route.page === 'links' ? 'page' : undefined}>
            My links
          </Link>
          <Link href="/keys" aria-current={route.page === 'keys' ? 'page' : undefined}>
            Keys
          </Link>
          <Link href="/requests" aria-current={route.page === 'requests' ? 'page' : undefined}>
            Requests
          </Link>
          <Link href="/admin" aria-current={route.page === 'admin' ? 'page' : undefined}>
            Admin
          </Link>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {route.page === 'send' && <SendPage />}
        {route.page === 'receive' && <ReceivePage id={route.id} />}
        {route.page === 'links' && <LinksPage />}
        {route.page === 'admin' && <AdminPage />}
        {route.page === 'keys' && <KeysPage />}
        {route.page === 'requests' && <RequestsPage />}
        {route.page === 'request-send' && <RequestSendPage id={route.id} />}
        {route.page === 'not-found' && (
          <section>
            <h1>Page not found</h1>
            <p>
              <Link href="/">Send files</Link>
            </p>
          </section>
        )}
      </main>
    </QueryClientProvider>
  );
}
