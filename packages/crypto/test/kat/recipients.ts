// Runs every case of testdata/sealdrop-v1.1-recipient-wrap-kat.json and returns one
// result per check, so Node (vitest), Chromium and workerd run the same checks and
// each failure names its case.
import {
  b64uDecode,
  b64uEncode,
  deriveWrapKey,
  hexDecode,
  hexEncode,
  KeyFormatError,
  openStanzas,
  NotSealedToYouError,
  parseFingerprint,
  parseIdentity,
  parseRecipient,
  unwrapSecret,
  wrapSecret,
} from '../../src/index.ts';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';

export interface KatResult {
  name: string;
  /** null when the check passed. */
  error: string | null;
}

interface Kat {
  cases: { comment: string; identity: string; recipient: string; fingerprint: string; id: string; S: string; encapsulationRandomness: string; sharedSecret: string; wrapKey: string; stanza: { kem: string; enc: string; wrap: string } }[];
  negative: { comment: string; identity: string; id: string; stanza: unknown }[];
  malformed: { comment: string; value: string; kind: 'identity' | 'recipient' | 'fingerprint' }[];
}

function eq(what: string, got: string, want: string): void {
  if (got !== want) throw new Error(`${what}: got ${got.slice(0, 40)}…, want ${want.slice(0, 40)}…`);
}

async function check(name: string, out: KatResult[], fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
    out.push({ name, error: null });
  } catch (e) {
    out.push({ name, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
}

export async function runRecipientKat(kat: Kat): Promise<KatResult[]> {
  const out: KatResult[] = [];
  for (const c of kat.cases) {
    await check(`${c.comment}: text forms and fingerprint`, out, () => {
      const identity = parseIdentity(c.identity);
      eq('identity round trip', identity.text, c.identity);
      eq('recipient of the identity', identity.recipient.text, c.recipient);
      eq('fingerprint', identity.recipient.fingerprint, c.fingerprint);
      const r = parseRecipient(c.recipient);
      eq('parsed recipient', r.text, c.recipient);
      eq('parsed fingerprint', parseFingerprint(c.fingerprint), c.fingerprint);
    });
    await check(`${c.comment}: wrap with the injected randomness gives the stanza`, out, async () => {
      const recipient = parseRecipient(c.recipient);
      const enc = ml_kem768_x25519.encapsulate(recipient.publicKey, hexDecode(c.encapsulationRandomness));
      eq('sharedSecret', hexEncode(enc.sharedSecret), c.sharedSecret);
      eq('wrapKey', hexEncode(deriveWrapKey(enc.sharedSecret, c.id)), c.wrapKey);
      const stanza = await wrapSecret(b64uDecode(c.S, 32), recipient, c.id, hexDecode(c.encapsulationRandomness));
      eq('kem', stanza.kem, c.stanza.kem);
      eq('enc', stanza.enc, c.stanza.enc);
      eq('wrap', stanza.wrap, c.stanza.wrap);
    });
    await check(`${c.comment}: the identity unwraps S`, out, async () => {
      const identity = parseIdentity(c.identity);
      const s = await unwrapSecret(c.stanza, identity, c.id);
      if (!s) throw new Error('did not open');
      eq('S', b64uEncode(s), c.S);
      const opened = await openStanzas([c.stanza], [identity], c.id);
      eq('S via openStanzas', b64uEncode(opened.secret), c.S);
    });
  }
  for (const n of kat.negative) {
    await check(`negative: ${n.comment}: does not open`, out, async () => {
      const identity = parseIdentity(n.identity);
      if ((await unwrapSecret(n.stanza, identity, n.id)) !== null) throw new Error('a stanza that must not open opened');
      let err: unknown;
      await openStanzas([n.stanza], [identity], n.id).catch((e) => (err = e));
      if (!(err instanceof NotSealedToYouError)) throw new Error(`openStanzas: expected NotSealedToYouError, got ${String(err)}`);
    });
  }
  for (const m of kat.malformed) {
    await check(`malformed ${m.kind}: ${m.comment}: refused`, out, () => {
      const parse = m.kind === 'identity' ? parseIdentity : m.kind === 'recipient' ? parseRecipient : parseFingerprint;
      let err: unknown;
      try {
        parse(m.value);
      } catch (e) {
        err = e;
      }
      if (!(err instanceof KeyFormatError)) throw new Error(`expected KeyFormatError, got ${String(err)}`);
      if (err.kind !== m.kind) throw new Error(`refused as a ${err.kind}, not a ${m.kind}`);
    });
  }
  return out;
}
