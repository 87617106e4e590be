// The entry, kept small: it starts what the address needs at once (a share link's
// first requests, the page's own chunk) and loads the app alongside.
import { matchRoute } from './app/route.ts';
import { loadPage } from './app/pages.ts';
import { openEarly } from './receive/early.ts';
import './styles/base.css';

const route = matchRoute(location.pathname);
const page = route.page === 'not-found' ? Promise.resolve() : Promise.all([loadPage(route.page), route.page === 'receive' && openEarly(route.id)]);
void import('./app/boot.tsx').then((app) => app.boot(page));
