// "My links" (/links): the shares created in this browser. Their owner tokens live
// in localStorage and are sent only as `Owner` auth to this server.
import { useEffect, useId, useState } from 'react';
import { Link } from '../app/Link.tsx';
import { linkTitle, listMyLinks, searchMyLinks, type MyLink } from './myLinks.ts';
import { LinkCard } from './LinkCard.tsx';
import '../admin/admin.css';
import './links.css';

export function LinksPage() {
  const [links, setLinks] = useState<MyLink[]>(() => listMyLinks());
  const [announce, setAnnounce] = useState('');
  const [query, setQuery] = useState('');
  const searchId = useId();
  const shown = searchMyLinks(links, query);

  // Another tab may add or forget links.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === null || e.key === 'sealdrop.myLinks.v1') setLinks(listMyLinks());
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const forgotten = (link: MyLink) => {
    setLinks(listMyLinks());
    setAnnounce(`${linkTitle(link)} forgotten on this device.`);
    // The card that had focus is gone: put focus somewhere sensible.
    document.getElementById('links-h')?.focus();
  };

  return (
    <section className="links stack" aria-labelledby="links-h">
      <h1 id="links-h" tabIndex={-1}>
        My links
      </h1>
      <p className="muted">
        Shares sent from this browser. This device keeps a private owner key for each, which lets you see its downloads and access log
        and revoke it. The names and labels shown here are kept in this browser only: the server never sees them. Nothing here is
        shared with other devices.
      </p>
      <p role="status" className="ok-text">
        {announce}
      </p>
      {links.length === 0 ? (
        <div className="card empty-state">
          <h2>No links yet</h2>
          <p>
            When you send files from this browser, the share appears here: whether it is still active, how many downloads are used and
            left, wrong-password attempts, the time until it expires and its access log. You can revoke a share from here at any time.
          </p>
          <p>
            The full link (with its key) is listed only if you chose to remember links on this device when sending.
          </p>
          <p>
            <Link href="/" className="button primary">
              Send files
            </Link>
          </p>
        </div>
      ) : (
        <>
          <div className="links-search">
            <label htmlFor={searchId}>Search by label or file name</label>
            <input id={searchId} type="search" value={query} spellCheck={false} onChange={(e) => setQuery(e.target.value)} />
            {query && (
              <p className="muted small" role="status">
                {shown.length === 0 ? 'No link matches.' : `${shown.length} of ${links.length} links match.`}
              </p>
            )}
          </div>
          <ul className="link-list" aria-label="Your shares">
            {shown.map((l) => (
              <li key={l.id}>
                <LinkCard link={l} onForget={forgotten} onLabel={() => setLinks(listMyLinks())} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
