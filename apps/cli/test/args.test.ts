import { describe, expect, test } from 'vitest';
import { parse } from '../src/args.ts';

const options = {
  json: { type: 'boolean' },
  share: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'revoke-shares': { type: 'boolean' },
  'max-shares': { type: 'string' },
  'owner-token': { type: 'string' },
} as const;

describe('ids that start with a dash (one share or token id in 64)', () => {
  test('are positionals, in order, wherever they stand', () => {
    expect(parse(['show', '-pQ2x7d0aVvFbq3n0Jk9Lw', '--json'], options, 'admin')).toEqual({
      values: { json: true },
      positionals: ['show', '-pQ2x7d0aVvFbq3n0Jk9Lw'],
    });
    expect(parse(['tokens', 'delete', '-abcDEF_1234', '--revoke-shares'], options, 'admin').positionals).toEqual(['tokens', 'delete', '-abcDEF_1234']);
    expect(parse(['revoke', '--', '-pQ2x7d0aVvFbq3n0Jk9Lw'], options, 'admin').positionals).toEqual(['revoke', '-pQ2x7d0aVvFbq3n0Jk9Lw']);
  });

  test('are the value of the string option before them', () => {
    expect(parse(['log', '--share', '-pQ2x7d0aVvFbq3n0Jk9Lw'], options, 'admin').values.share).toBe('-pQ2x7d0aVvFbq3n0Jk9Lw');
    expect(parse(['log', '-o', '-abcDEF_1234'], options, 'admin').values.output).toBe('-abcDEF_1234');
  });

  test('real mistakes are still usage errors', () => {
    expect(() => parse(['show', '-p'], options, 'admin')).toThrow(/Unknown option '-p'/);
    expect(() => parse(['show', '--jsn'], options, 'admin')).toThrow(/Unknown option '--jsn'/);
    // A boolean option takes no id: the id stays a positional.
    expect(parse(['--json', '-abcDEF_1234'], options, 'admin')).toEqual({ values: { json: true }, positionals: ['-abcDEF_1234'] });
  });

  test('an option whose name has the shape of an id (--max-shares is 12 characters) stays an option', () => {
    expect(parse(['new', '--max-shares', '2', '--json'], options, 'request')).toEqual({ values: { 'max-shares': '2', json: true }, positionals: ['new'] });
  });

  test('a token that starts with a dash (43 characters of base64url) is the value of the option before it', () => {
    // Seen in CI: `request list ID --owner-token -Xy…` failed with "argument is ambiguous".
    const token = '-ZC1hc2gtZmlyc3QtdG9rZW4tb2YtNDMtY2hhcnMtcw';
    expect(parse(['list', 'req1', '--owner-token', token, '--json'], options, 'request')).toEqual({
      values: { 'owner-token': token, json: true },
      positionals: ['list', 'req1'],
    });
    // A forgotten value is still a usage error, not the next option taken as a token.
    expect(() => parse(['list', '--owner-token', '--json'], options, 'request')).toThrow(/ambiguous/);
  });
});
