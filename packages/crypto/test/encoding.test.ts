import { describe, expect, test } from 'vitest';
import { b64uDecode, b64uEncode, constantTimeEqual, EncodingError, hexDecode, hexEncode, isShareId, LinkError, generateLinkSecret, parseLinkSecret } from '../src/index.ts';

describe('base64url', () => {
  test('round trips every length 0..70 and matches Node', () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      const s = b64uEncode(bytes);
      expect(s).toBe(Buffer.from(bytes).toString('base64url'));
      expect(b64uDecode(s)).toEqual(bytes);
      expect(b64uDecode(s, n)).toEqual(bytes);
    }
  });

  test.each([
    ['padding', 'AAA='],
    ['standard alphabet +', 'ab+c'],
    ['standard alphabet /', 'ab/c'],
    ['whitespace', 'abc d'],
    ['newline', 'abcd\n'],
    ['impossible length', 'abcde'],
    ['non-canonical trailing bits (1 byte)', 'AB'],
    ['non-canonical trailing bits (2 bytes)', 'AAB'],
    ['non-ASCII', 'abcé'],
  ])('rejects %s', (_name, s) => {
    expect(() => b64uDecode(s)).toThrow(EncodingError);
  });

  test('checks the length', () => {
    expect(() => b64uDecode('AAAA', 4)).toThrow(EncodingError);
    expect(b64uDecode('AAAA', 3)).toEqual(new Uint8Array(3));
  });
});

test('hex', () => {
  expect(hexEncode(Uint8Array.of(0, 1, 0xab, 0xff))).toBe('0001abff');
  expect(hexDecode('0001ABff')).toEqual(Uint8Array.of(0, 1, 0xab, 0xff));
  for (const bad of ['0', 'zz', '0x00', ' 00']) expect(() => hexDecode(bad)).toThrow(EncodingError);
});

test('constantTimeEqual', () => {
  expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
  expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
  expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
});

describe('link secret and id', () => {
  test('fresh secrets are 43 strict characters and all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const s = generateLinkSecret();
      expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(parseLinkSecret(s)).toHaveLength(32);
      seen.add(s);
    }
    expect(seen.size).toBe(100);
  });

  test('damaged secrets are refused with a clear message', () => {
    const s = generateLinkSecret();
    expect(() => parseLinkSecret(s.slice(0, 42))).toThrow(/42/);
    expect(() => parseLinkSecret(s + 'A')).toThrow(LinkError);
    expect(() => parseLinkSecret('')).toThrow(/missing/);
    expect(() => parseLinkSecret(s.slice(0, 42) + '=')).toThrow(LinkError);
    expect(() => parseLinkSecret(s.slice(0, 42) + '+')).toThrow(LinkError);
    // The 43rd character carries 4 bits; the other 2 must be zero (one spelling per key).
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const i = last.indexOf(s[42]);
    const other = last[i ^ 1];
    expect(() => parseLinkSecret(s.slice(0, 42) + other)).toThrow(LinkError);
  });

  test('share ids', () => {
    expect(isShareId('AAECAwQFBgcICQoLDA0ODw')).toBe(true);
    for (const bad of ['AAECAwQFBgcICQoLDA0OD', 'AAECAwQFBgcICQoLDA0ODwA', 'AAECAwQFBgcICQoLDA0OD=', '../ECAwQFBgcICQoLDA0OD', 42]) expect(isShareId(bad)).toBe(false);
  });
});
