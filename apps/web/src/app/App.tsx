import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef, type ComponentType } from 'react';
import { matchRoute, usePath } from './router.ts';
import { Link } from './Link.tsx';
import { loadedPages, loadPage, type PageName } from './pages.ts';
import { OpeningLink } from '../receive/OpeningLink.tsx';

/** A page's component: the loaded module's own once it is there (nothing suspends), lazily before. */
function page<K extends PageName, P extends object>(name: K): ComponentType<P> {
  const Lazy = lazy(() => loadPage(name).then((c) => ({ default: c as unknown as ComponentType<P> })));
  return function Page(props: P) {
    const C = (loadedPages[name] as unknown as ComponentType<P> | undefined) ?? Lazy;
    return <C {...props} />;
  };
}

const SendPage = page('send');
const ReceivePage = page<'receive', { id: string }>('receive');
const LinksPage = page('links');
const AdminPage = page('admin');
const KeysPage = page('keys');
const RequestsPage = page('requests');
const RequestSendPage = page<'request-send', { id: string }>('request-send');

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
        <Suspense fallback={route.page === 'receive' ? <OpeningLink /> : null}>
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
        </Suspense>
      </main>
    </QueryClientProvider>
  );
}
