// What the server's share policy requires (GET /api/config), said before the
// sender hits a refusal. The web page sends with an upload token or none.
import { policyRequirements, type ConfigResponse } from '@sealdrop/shared';

export function PolicyNotice({ config, withToken }: { config: ConfigResponse | undefined; withToken: boolean }) {
  const lines = policyRequirements(config?.policy, withToken ? 'upload' : 'open');
  if (lines.length === 0) return null;
  return (
    <div className="notice" role="note" aria-label="This server's share policy">
      <p>This server's policy:</p>
      <ul>
        {lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </div>
  );
}
