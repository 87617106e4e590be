// The entry, kept small: it starts what the address needs at once (a share link's
// first requests, the page's own chunk) and loads the app alongside.
import { matchRoute } from './app/route.ts';
import { loadPage } from './app/pages.ts';
import { openEarly } from './receive/early.ts';
import './styles/base.css';

const route = matchRoute(location.pathname);
// A share link's GET first: it then takes the first of the browser's connections
// to the server, ahead of the page's chunks.
const opened = route.page === 'receive' && openEarly(route.id);
const page = route.page === 'not-found' ? Promise.resolve() : Promise.all([loadPage(route.page), opened]);
void import('./app/boot.tsx').then((app) => app.boot(page));
