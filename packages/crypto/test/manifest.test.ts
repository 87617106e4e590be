import { describe, expect, test } from 'vitest';
import { checkFileName, checkFileNames, deriveShareKeys, encodeManifest, fileExtension, ManifestError, openManifest, parseManifest, sealManifest, type Manifest } from '../src/index.ts';

describe('file names', () => {
  test.each(['report.pdf', 'photos/2024/IMG 0001.jpg', 'a', 'Über straße.txt', '日本語/ファイル.txt', 'emoji 😀.png', 'icon.d/x', 'console.txt', 'COM10', '.hidden', 'a..b', 'x'.repeat(255)])('accepts %j', (name) => {
    expect(checkFileName(name)).toBeNull();
  });

  test.each([
    ['', /empty/],
    ['/etc/passwd', /absolute/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['./a', /"\."/],
    ['a/../b', /"\.\."/],
    ['..', /"\.\."/],
    ['a\\b', /backslash/],
    ['C:/x', /drive letter/],
    ['c:x', /drive letter/],
    ['a.txt:evil', /colon/],
    ['a\u0000b', /control/],
    ['tab\there', /control/],
    ['a\u007f', /control/],
    ['a\u0085', /control/],
    ['invoice\u202Efdp.exe', /invisible or text-direction/],
    ['zero\u200Bwidth', /invisible/],
    ['lrm\u200E', /invisible/],
    ['isolate\u2066x', /invisible/],
    ['arabic\u061Cmark', /invisible/],
    ['\uFEFFbom', /invisible/],
    ['CON', /device/],
    ['con.txt', /device/],
    ['dir/Nul.tar.gz', /device/],
    ['con.d/x', /device/],
    ['LPT9', /device/],
    ['com1 .txt', /device/],
    ['COM¹', /device/],
    ['trailing.', /dot or a space/],
    ['trailing ', /dot or a space/],
    ['dir./x', /dot or a space/],
    ['x'.repeat(256), /255 bytes/],
    ['é'.repeat(128), /255 bytes/],
    ['\ud800x', /Unicode/],
  ])('rejects %j', (name, reason) => {
    expect(checkFileName(name)).toMatch(reason);
  });

  test('duplicates after NFC and case folding, and file/folder clashes', () => {
    expect(checkFileNames(['a.txt', 'b.txt', 'dir/a.txt'])).toBeNull();
    expect(checkFileNames(['Tool.exe', 'tool.EXE'])).toMatch(/same name/);
    expect(checkFileNames(['caf\u00e9', 'cafe\u0301'])).toMatch(/same name/);
    expect(checkFileNames(['STRASSE', 'straße'])).toMatch(/same name/);
    expect(checkFileNames(['docs', 'Docs/readme'])).toMatch(/both a file and the folder/);
    expect(checkFileNames(['ok', 'bad/'])).toMatch(/empty segment/);
  });

  test('fileExtension', () => {
    expect(fileExtension('report.pdf')).toEqual({ stem: 'report', ext: '.pdf' });
    expect(fileExtension('a/b.tar.gz')).toEqual({ stem: 'a/b', ext: '.tar.gz' });
    expect(fileExtension('app-1.2.TAR.XZ')).toEqual({ stem: 'app-1.2', ext: '.TAR.XZ' });
    expect(fileExtension('.tar.gz')).toEqual({ stem: '.tar', ext: '.gz' });
    expect(fileExtension('notes.txt.gz')).toEqual({ stem: 'notes.txt', ext: '.gz' });
    expect(fileExtension('.bashrc')).toEqual({ stem: '.bashrc', ext: '' });
    expect(fileExtension('dir.d/README')).toEqual({ stem: 'dir.d/README', ext: '' });
  });
});

const good: Manifest = {
  v: 1,
  createdAt: '2026-11-21T00:00:00.000Z',
  files: [
    { name: 'a.txt', size: 5, type: 'text/plain', sha256: 'a'.repeat(64), lastModified: 1700000000000 },
    { name: 'dir/b.bin', size: 0, type: '', sha256: 'b'.repeat(64) },
  ],
  note: 'hello',
  signatures: [{ file: 0, minisig: 'untrusted comment: x\nRWQ...' }],
};

describe('parseManifest', () => {
  test('accepts a good manifest and keeps exactly its fields', () => {
    expect(parseManifest(JSON.parse(JSON.stringify(good)))).toEqual(good);
  });

  test('accepts a note-only manifest (no file, a note)', () => {
    const noteOnly = { v: 1, createdAt: good.createdAt, files: [], note: 'the door code is 4711' };
    expect(parseManifest(JSON.parse(JSON.stringify(noteOnly)))).toEqual(noteOnly);
  });

  const bad: [string, (m: any) => void][] = [
    ['v 2', (m) => (m.v = 2)],
    ['v "1"', (m) => (m.v = '1')],
    ['unknown field', (m) => (m.extra = 1)],
    ['__proto__ field', (m) => Object.defineProperty(m, '__proto__', { value: {}, enumerable: true })],
    ['no files', (m) => (m.files = [])],
    ['no files and no note', (m) => ((m.files = []), delete m.note, delete m.signatures)],
    ['no files and a blank note', (m) => ((m.files = []), (m.note = ' \n'), delete m.signatures)],
    ['createdAt not ISO', (m) => (m.createdAt = 'yesterday')],
    ['negative size', (m) => (m.files[0].size = -1)],
    ['fractional size', (m) => (m.files[0].size = 1.5)],
    ['string size', (m) => (m.files[0].size = '5')],
    ['huge size', (m) => (m.files[0].size = 2 ** 60)],
    ['uppercase sha256', (m) => (m.files[0].sha256 = 'A'.repeat(64))],
    ['short sha256', (m) => (m.files[0].sha256 = 'a'.repeat(63))],
    ['bad name', (m) => (m.files[0].name = '../x')],
    ['bidi name', (m) => (m.files[0].name = 'x\u202Etxt.exe')],
    ['duplicate name', (m) => (m.files[1].name = 'A.TXT')],
    ['unknown file field', (m) => (m.files[0].url = 'x')],
    ['long type', (m) => (m.files[0].type = 'x'.repeat(256))],
    ['signature for a missing file', (m) => (m.signatures[0].file = 2)],
    ['two signatures for one file', (m) => m.signatures.push({ file: 0, minisig: 'x' })],
    ['note not a string', (m) => (m.note = 5)],
    ['array', (m) => Object.setPrototypeOf(m, Array.prototype)],
  ];
  test.each(bad)('rejects %s', (_n, mutate) => {
    const m = JSON.parse(JSON.stringify(good));
    mutate(m);
    expect(() => parseManifest(m)).toThrow(ManifestError);
  });

  test('rejects too many files', () => {
    const files = Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}`, size: 1, type: '', sha256: 'a'.repeat(64) }));
    expect(() => parseManifest({ v: 1, createdAt: good.createdAt, files })).toThrow(/1 to 10000/);
  });
});

describe('seal and open', () => {
  const id = 'AAECAwQFBgcICQoLDA0ODw';
  test('round trip, padding hides name lengths, wrong share refused', async () => {
    const keys = await deriveShareKeys(new Uint8Array(32).fill(1));
    const ct = await sealManifest(keys, id, good);
    expect(await openManifest(keys, id, ct)).toEqual(good);
    const short = await sealManifest(keys, id, { ...good, files: [{ ...good.files[0], name: 'x' }, good.files[1]] });
    expect(short.length).toBe(ct.length);
    expect(encodeManifest(good).length % 4096).toBe(0);
    await expect(openManifest(keys, 'BAECAwQFBgcICQoLDA0ODw', ct)).rejects.toMatchObject({ kind: 'commitment' });
    const other = await deriveShareKeys(new Uint8Array(32).fill(2));
    await expect(openManifest(other, id, ct)).rejects.toMatchObject({ kind: 'commitment' });
  });

  test('refuses to seal an invalid manifest, and a manifest over 1 MiB', async () => {
    const keys = await deriveShareKeys(new Uint8Array(32).fill(1));
    await expect(sealManifest(keys, id, { ...good, files: [{ ...good.files[0], name: 'a/../b' }] })).rejects.toThrow(ManifestError);
    const files = Array.from({ length: 4000 }, (_, i) => ({ name: `${'n'.repeat(200)}${i}`, size: 1, type: 'application/octet-stream', sha256: 'a'.repeat(64) }));
    await expect(sealManifest(keys, id, { v: 1, createdAt: good.createdAt, files })).rejects.toThrow(/too large/);
  });
});
