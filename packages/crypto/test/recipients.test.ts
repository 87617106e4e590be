// Recipient keys beyond the known answers: strict text forms with messages that name
// the wrong part, identity files, wrap/unwrap round trips, random stanza order,
// stanzas that do not open are skipped, tampering anywhere, and "not sealed to you".
import { describe, expect, test } from 'vitest';
import {
  b64uDecode,
  b64uEncode,
  displayFingerprint,
  FingerprintMismatchError,
  formatIdentityFile,
  generateIdentity,
  generateLinkSecret,
  IDENTITY_CHARS,
  isStanza,
  KeyFormatError,
  NotSealedToYouError,
  openStanzas,
  parseFingerprint,
  parseIdentity,
  parseIdentityFile,
  parseRecipient,
  parseRecipientList,
  RECIPIENT_CHARS,
  requestRecipient,
  sealToRecipients,
  unwrapSecret,
  wrapSecret,
} from '../src/index.ts';

const ID = 'AAECAwQFBgcICQoLDA0ODw';
const alice = generateIdentity();
const bob = generateIdentity();
const carol = generateIdentity();

function refusal(fn: () => unknown): KeyFormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KeyFormatError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('text forms', () => {
  test('lengths and prefixes as specified', () => {
    expect(alice.text).toMatch(/^SEALDROP-SECRET-KEY-1:[A-Za-z0-9_-]{43}$/);
    expect(alice.text.length).toBe(IDENTITY_CHARS);
    expect(alice.recipient.text.startsWith('sealdrop-pq1:')).toBe(true);
    expect(alice.recipient.text.length).toBe(RECIPIENT_CHARS);
    expect(RECIPIENT_CHARS).toBe(13 + 1622);
    expect(alice.recipient.fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parseIdentity(alice.text).recipient.text).toBe(alice.recipient.text);
    expect(parseRecipient(alice.recipient.text).fingerprint).toBe(alice.recipient.fingerprint);
  });

  test('each refusal names the part that is wrong', () => {
    const body = alice.text.slice('SEALDROP-SECRET-KEY-1:'.length);
    expect(refusal(() => parseIdentity(body))).toMatchObject({ kind: 'identity', part: 'prefix' });
    expect(refusal(() => parseIdentity(body)).message).toMatch(/must start with "SEALDROP-SECRET-KEY-1:"/);
    // A secret is never echoed back, not even in part.
    expect(refusal(() => parseIdentity(body)).message).not.toContain(body.slice(0, 8));
    expect(refusal(() => parseIdentity('sealdrop-secret-key-1:' + body))).toMatchObject({ part: 'prefix' });
    expect(refusal(() => parseIdentity(alice.text.slice(0, -1))).message).toMatch(/43 characters after "SEALDROP-SECRET-KEY-1:"; this one has 42/);
    expect(refusal(() => parseIdentity(alice.text + '=')).message).toMatch(/this one has 44/);
    expect(refusal(() => parseIdentity(alice.text.slice(0, -1) + '+'))).toMatchObject({ part: 'encoding' });
    expect(refusal(() => parseIdentity(` ${alice.text}`))).toMatchObject({ part: 'prefix' });
    expect(refusal(() => parseIdentity(42))).toMatchObject({ part: 'type' });

    const pub = alice.recipient.text;
    expect(refusal(() => parseRecipient(pub.slice(0, -3)))).toMatchObject({ kind: 'recipient', part: 'length' });
    expect(refusal(() => parseRecipient(pub.slice(0, 20) + '*' + pub.slice(21)))).toMatchObject({ part: 'encoding' });
    expect(refusal(() => parseRecipient(alice.text)).message).toMatch(/secret identity/);
    expect(refusal(() => parseRecipient('age1qqqq')).message).toMatch(/must start with "sealdrop-pq1:"; this one starts with "age1qqqq"/);
    expect(refusal(() => parseRecipient(''))).toMatchObject({ part: 'prefix' });

    expect(parseFingerprint(alice.recipient.fingerprint)).toBe(alice.recipient.fingerprint);
    expect(refusal(() => parseFingerprint(alice.recipient.fingerprint.slice(0, 42)))).toMatchObject({ kind: 'fingerprint', part: 'length' });
    expect(refusal(() => parseFingerprint(alice.recipient.fingerprint.slice(0, 42) + '='))).toMatchObject({ part: 'encoding' });
  });

  test('a request recipient must match the fingerprint of the request link', () => {
    expect(requestRecipient(alice.recipient.text, alice.recipient.fingerprint).text).toBe(alice.recipient.text);
    let err: unknown;
    try {
      requestRecipient(bob.recipient.text, alice.recipient.fingerprint);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FingerprintMismatchError);
    expect((err as Error).message).toContain(displayFingerprint(alice.recipient.fingerprint));
    expect((err as Error).message).toContain(displayFingerprint(bob.recipient.fingerprint));
    expect(refusal(() => requestRecipient(alice.recipient.text, 'short'))).toMatchObject({ kind: 'fingerprint', part: 'length' });
  });

  test('fingerprint for people: first 16 characters in groups of four', () => {
    expect(displayFingerprint('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq')).toBe('ABCD EFGH IJKL MNOP');
  });

  test('identity files: comments, blank lines, CRLF; a bad line is named', () => {
    const file = formatIdentityFile(alice, new Date('2026-01-02T03:04:05Z'));
    expect(file).toBe(`# created: 2026-01-02T03:04:05.000Z\n# public key: ${alice.recipient.text}\n${alice.text}\n`);
    expect(parseIdentityFile(file).map((i) => i.text)).toEqual([alice.text]);
    const two = `# two keys\r\n\r\n${alice.text}\r\n  \n${bob.text}\n`;
    expect(parseIdentityFile(two).map((i) => i.recipient.fingerprint)).toEqual([alice.recipient.fingerprint, bob.recipient.fingerprint]);
    expect(refusal(() => parseIdentityFile(`# x\n${alice.text}\n${bob.text.slice(0, -2)}\n`)).message).toMatch(/^Line 3: .*this one has 41/);
    expect(refusal(() => parseIdentityFile('# only comments\n\n')).message).toMatch(/holds no identity/);
  });

  test('recipient lists: one public key a line', () => {
    expect(parseRecipientList(`# partners\n${alice.recipient.text}\n\n${bob.recipient.text}\n`).map((r) => r.text)).toEqual([alice.recipient.text, bob.recipient.text]);
    expect(refusal(() => parseRecipientList(`${alice.recipient.text}\nnonsense\n`)).message).toMatch(/^Line 2: /);
  });
});

describe('wrap and unwrap', () => {
  test('each recipient opens the share, a stranger does not, and says so', async () => {
    const S = b64uDecode(generateLinkSecret(), 32);
    const stanzas = await sealToRecipients(S, [alice.recipient, bob.recipient], ID);
    expect(stanzas).toHaveLength(2);
    for (const s of stanzas) {
      expect(isStanza(s)).toBe(true);
      expect(Object.keys(s).sort()).toEqual(['enc', 'kem', 'wrap']);
      expect(s.enc).toHaveLength(1494);
      expect(s.wrap).toHaveLength(64);
    }
    for (const who of [alice, bob]) {
      const { secret, identity } = await openStanzas(stanzas, [who], ID);
      expect(b64uEncode(secret)).toBe(b64uEncode(S));
      expect(identity).toBe(who);
    }
    await expect(openStanzas(stanzas, [carol], ID)).rejects.toBeInstanceOf(NotSealedToYouError);
    await expect(openStanzas(stanzas, [carol], ID)).rejects.toThrow(/not sealed to any of your keys/);
    // Several identities: the one that fits is found whatever its place.
    expect((await openStanzas(stanzas, [carol, bob], ID)).identity).toBe(bob);
    // Bound to the share id.
    await expect(openStanzas(stanzas, [alice], 'BBBBBBBBBBBBBBBBBBBBBB')).rejects.toBeInstanceOf(NotSealedToYouError);
  });

  test('stanzas are in random order (not the order of the recipients)', async () => {
    const S = b64uDecode(generateLinkSecret(), 32);
    const recipients = [alice, bob, carol].map((i) => i.recipient);
    let firstIsAlice = 0;
    const runs = 24;
    for (let n = 0; n < runs; n++) {
      const stanzas = await sealToRecipients(S, recipients, ID);
      if (await unwrapSecret(stanzas[0], alice, ID)) firstIsAlice++;
    }
    // Alice's stanza comes first about a third of the time; never always, never never
    // (each bound fails by chance with probability below 1e-4).
    expect(firstIsAlice).toBeGreaterThan(0);
    expect(firstIsAlice).toBeLessThan(runs);
  });

  test('malformed and foreign stanzas are skipped, the good one still opens', async () => {
    const S = b64uDecode(generateLinkSecret(), 32);
    const good = await wrapSecret(S, alice.recipient, ID);
    const junk: unknown[] = [
      null,
      'xwing',
      { kem: 'mlkem', enc: good.enc, wrap: good.wrap },
      { kem: 'xwing', enc: good.enc.slice(1), wrap: good.wrap },
      { kem: 'xwing', enc: good.enc, wrap: good.wrap, extra: 1 },
      await wrapSecret(S, bob.recipient, ID),
    ];
    for (const j of junk) expect(await unwrapSecret(j, alice, ID)).toBeNull();
    const { secret } = await openStanzas([...junk, good], [alice], ID);
    expect(b64uEncode(secret)).toBe(b64uEncode(S));
  });

  test('a flipped bit anywhere in enc or wrap makes the stanza not open', async () => {
    const S = b64uDecode(generateLinkSecret(), 32);
    const good = await wrapSecret(S, alice.recipient, ID);
    const flip = (text: string, byte: number) => {
      const b = b64uDecode(text);
      b[byte] ^= 1;
      return b64uEncode(b);
    };
    // X25519 part (last 32 bytes of enc), ML-KEM part, every region of the wrap.
    for (const byte of [0, 500, 1087, 1088, 1119]) expect(await unwrapSecret({ ...good, enc: flip(good.enc, byte) }, alice, ID), `enc byte ${byte}`).toBeNull();
    for (const byte of [0, 31, 32, 47]) expect(await unwrapSecret({ ...good, wrap: flip(good.wrap, byte) }, alice, ID), `wrap byte ${byte}`).toBeNull();
  });

  test('1 to 20 recipients', async () => {
    const S = b64uDecode(generateLinkSecret(), 32);
    await expect(sealToRecipients(S, [], ID)).rejects.toThrow(/1 to 20/);
    await expect(sealToRecipients(S, Array(21).fill(alice.recipient), ID)).rejects.toThrow(/1 to 20/);
  });
});
