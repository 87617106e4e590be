// sealdrop: the command-line client. A thin shell: each command lives in
// src/commands/<name>.ts; the protocol is @sealdrop/crypto, the API @sealdrop/shared.

import './gcFlags.ts'; // first: before anything allocates
import { installNodeEd25519 } from '@sealdrop/crypto/node';
import { EXIT, EXIT_CODES_HELP, toCliError } from './exit.ts';
import { VERSION } from './version.ts';

interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  send: { summary: 'encrypt files and upload them; prints the link', load: () => import('./commands/send.ts') },
  receive: { summary: 'download and decrypt a share', load: () => import('./commands/receive.ts') },
  info: { summary: 'show a share (files, expiry, downloads left) without using a download', load: () => import('./commands/info.ts') },
  status: { summary: "a share's owner view: downloads, wrong passwords, access log", load: () => import('./commands/status.ts') },
  revoke: { summary: 'revoke a share (owner)', load: () => import('./commands/revoke.ts') },
  report: { summary: "report an abusive share to its server's administrators", load: () => import('./commands/report.ts') },
  keygen: { summary: 'make a minisign signing key pair', load: () => import('./commands/keygen.ts') },
  identity: { summary: 'make a recipient key (identity new -o FILE) or print its public key (identity pub FILE)', load: () => import('./commands/identity.ts') },
  request: { summary: 'file requests: a link others send you files through (new, list, close)', load: () => import('./commands/request.ts') },
  sign: { summary: 'sign files (FILE.minisig, minisign format)', load: () => import('./commands/sign.ts') },
  verify: { summary: 'verify a minisign signature', load: () => import('./commands/verify.ts') },
  'verify-web': { summary: "check a server's web app against its asset list (and a local build)", load: () => import('./commands/verify-web.ts') },
  admin: { summary: 'administer a server (shares, log, tokens); needs SEALDROP_ADMIN_TOKEN', load: () => import('./commands/admin.ts') },
};

const HELP = `sealdrop: end-to-end encrypted file sharing from the terminal.

Usage: sealdrop <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run "sealdrop <command> --help" for a command's options.

Environment: SEALDROP_SERVER (default server URL), SEALDROP_TOKEN (upload token),
SEALDROP_OWNER_TOKEN, SEALDROP_ADMIN_TOKEN, SEALDROP_IDENTITY (identity file), XDG_STATE_HOME (resume journals),
SEALDROP_TIMEOUT (seconds a request may make no progress before it is retried; default 30, 0: never).

${EXIT_CODES_HELP}`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const sub = name === 'help' ? rest[0] : undefined;
    if (sub && COMMANDS[sub]) console.log((await COMMANDS[sub].load()).help);
    else console.log(HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-V') {
    console.log(`sealdrop ${VERSION} (protocol sealdrop/v1)`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`sealdrop: unknown command "${name}".\n\n${HELP}\n`);
    return EXIT.usage;
  }
  return (await command.load()).run(rest);
}

// Ctrl-C: leave with the conventional code; commands clean up in their finally blocks
// through the 'exit' handlers they registered.
const interrupted = (code: number) => () => {
  process.stderr.write('\nsealdrop: interrupted. An interrupted send or receive resumes when run again with the same arguments.\n');
  process.exit(code);
};
// A closed stdout (`sealdrop admin show ID | head -1`) ends the command quietly,
// as other tools do, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw e;
  });
}
process.on('SIGINT', interrupted(130));
// Share keys and access signatures on node's Ed25519: the same bytes as @noble/curves without its ~40 ms first-use table.
installNodeEd25519();
process.on('SIGTERM', interrupted(143));

// No top-level await: the launcher runs this bundled as a classic script (bin/sealdrop.mjs, V8 code cache).
main(process.argv.slice(2)).then(
  (code) => void (process.exitCode = code),
  (e: unknown) => {
    const err = toCliError(e);
    process.stderr.write(`sealdrop: ${err.message}\n`);
    process.exitCode = err.code;
  },
);
