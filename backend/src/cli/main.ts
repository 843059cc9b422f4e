// The `brevdue` command line. Commands live in one table (group → command → handler), so a new
// subcommand is one entry. Errors are one line on stderr, never a stack trace:
//   exit 0  success
//   exit 2  bad input or usage: `brevdue: FILE: <path>: <rule>`, or the usage text
//   exit 1  an unexpected internal error (still one line)
//   exit 3  a check ran and failed (`audit verify` found a broken chain, `keys rewrap` left values behind,
//           `quarantine retry` left the letter in quarantine)
import { readFileSync, statSync } from 'node:fs';
import { errorMessage } from '../log';
import { parseMemo, DEFAULT_MEMO_LIMITS } from '../memo/parse';
import { summarizeMemo } from '../memo/summary';
import { MemoError } from '../memo/types';
import { keyVaultFromEnv, newWrappedKek, KeyVaultError, type KeyVaultOptions } from '../crypto/key-vault';
import { auditVerify, CliCheckFailed, exportOriginal, keysRewrap, parseOrgOption, processCliEnv, quarantineRetry, retentionPurge, statsRebuild, type CliEnv } from './privacy-commands';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** A failure the user can act on: printed as one line, exit code 2. */
export class CliError extends Error {
  constructor(message: string, public readonly showUsage = false) {
    super(message);
    this.name = 'CliError';
  }
}

interface Command {
  args: string; // for the usage text, e.g. "FILE.xml"
  summary: string;
  run(args: string[], io: CliIo, env: CliEnv): Promise<void> | void;
}

const commands: Record<string, Record<string, Command>> = {
  memo: {
    inspect: {
      args: 'FILE.xml',
      summary: 'validate a MeMo message (1.1 or 1.2) and print its summary as JSON',
      run(args, io) {
        if (args.length !== 1) throw new CliError(`memo inspect takes exactly one FILE, got ${args.length}`, true);
        const file = args[0];
        const memo = parseMemo(readInput(file));
        io.out(`${JSON.stringify(summarizeMemo(memo), null, 2)}\n`);
      },
    },
    original: {
      args: 'MESSAGE-ID --out FILE',
      summary: 'write a stored letter\'s original MeMo, byte for byte, to a new file (recorded in the audit log)',
      run: (args, io, env) => exportOriginal(args, io, env, (m) => new CliError(m, true)),
    },
  },
  audit: {
    verify: {
      args: '[--org ID]',
      summary: 'check the audit log\'s hash chain (every organisation, or one)',
      run: (args, io, env) => auditVerify(parseOrgOption(args, (m) => new CliError(m, true)), io, env),
    },
  },
  keys: {
    rewrap: {
      args: '',
      summary: 're-wrap every sealed value\'s data key under the current BREVDUE_KEK',
      run(args, io, env) {
        if (args.length) throw new CliError('keys rewrap takes no arguments', true);
        return keysRewrap(io, env);
      },
    },
    wrap: {
      args: '[--id ID]',
      summary: 'make a new key-encryption key wrapped by Azure Key Vault (AZURE_KEY_VAULT_KEY_ID) and print it for BREVDUE_KEK',
      run: (args, io) => keysWrap(args, io, keyVaultFromEnv(process.env)),
    },
  },
  stats: {
    rebuild: {
      args: '',
      summary: 'count every letter again into the statistics rollup (after a restore, or if figures are doubted)',
      run(args, io, env) {
        if (args.length) throw new CliError('stats rebuild takes no arguments', true);
        return statsRebuild(io, env);
      },
    },
  },
  quarantine: {
    retry: {
      args: 'QUARANTINE-ID',
      summary: 'try a quarantined letter again: take it in from its stored bytes, or fetch it again at the next poll (recorded in the audit log)',
      run: (args, io, env) => quarantineRetry(args, io, env, (m) => new CliError(m, true)),
    },
  },
  retention: {
    purge: {
      args: '',
      summary: 'purge letters past their organisation\'s retention now (also runs daily)',
      run(args, io, env) {
        if (args.length) throw new CliError('retention purge takes no arguments', true);
        return retentionPurge(io, env);
      },
    },
  },
};

function readInput(file: string): Buffer {
  const name = printable(file);
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new CliError(`${name}: is a directory, not a MeMo file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${name}: ${fsReason(e)}`);
  }
  // Check the size before reading, so a huge file is refused without loading it.
  if (size > DEFAULT_MEMO_LIMITS.maxBytes) {
    throw new CliError(`${name}: (document): is ${size} bytes; the limit is ${DEFAULT_MEMO_LIMITS.maxBytes} bytes`);
  }
  try {
    return readFileSync(file);
  } catch (e) {
    throw new CliError(`${name}: ${fsReason(e)}`);
  }
}

function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied; cannot read the file';
    case 'EISDIR': return 'is a directory, not a MeMo file';
    default: return `cannot read the file${code ? ` (${code})` : ''}`;
  }
}

/** File names and messages go on one line whatever they contain. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function usage(): string {
  const lines = ['usage: brevdue <command> [arguments]', '', 'commands:'];
  for (const [group, cmds] of Object.entries(commands)) {
    for (const [name, c] of Object.entries(cmds)) lines.push(`  brevdue ${group} ${name} ${c.args}`.padEnd(40) + `  ${c.summary}`);
  }
  return lines.join('\n') + '\n';
}

/** Runs the CLI; returns the exit code instead of exiting, so it can be called in-process too. */
export async function main(argv: string[], io: CliIo = processIo, env: CliEnv = processCliEnv): Promise<number> {
  const [group, name, ...rest] = argv;
  if (group === undefined || group === '-h' || group === '--help' || group === 'help') {
    (group === undefined ? io.err : io.out)(usage());
    return group === undefined ? 2 : 0;
  }
  const file = rest[0];
  try {
    const cmds = commands[group];
    if (!cmds) throw new CliError(`unknown command ${JSON.stringify(group)}`, true);
    const cmd = name === undefined ? undefined : cmds[name];
    if (!cmd) throw new CliError(`unknown command ${JSON.stringify(`${group} ${name ?? ''}`.trim())}`, true);
    await cmd.run(rest, io, env);
    return 0;
  } catch (e) {
    if (e instanceof MemoError) {
      io.err(`brevdue: ${printable(file ?? '-')}: ${printable(e.path)}: ${printable(oneLine(e.rule))}\n`);
      return 2;
    }
    if (e instanceof CliCheckFailed) {
      io.err(`brevdue: ${printable(oneLine(e.message))}\n`);
      return 3;
    }
    if (e instanceof KeyVaultError) {
      io.err(`brevdue: ${printable(oneLine(e.message))}\n`);
      return 2;
    }
    if (e instanceof CliError) {
      io.err(`brevdue: ${printable(oneLine(e.message))}\n`);
      if (e.showUsage) io.err(usage());
      return 2;
    }
    const msg = errorMessage(e); // a database error: what the server said, never the query and its values
    io.err(`brevdue: internal error: ${printable(oneLine(msg))}\n`);
    return 1;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** `brevdue keys wrap [--id ID]`: exported for tests, which point it at the Key Vault simulator. */
export async function keysWrap(args: string[], io: CliIo, kv: Omit<KeyVaultOptions, 'keyId'> & { keyId?: string }): Promise<void> {
  if (args.length !== 0 && !(args.length === 2 && args[0] === '--id')) throw new CliError('keys wrap takes no arguments or --id <key id>', true);
  if (!kv.keyId) throw new CliError('set AZURE_KEY_VAULT_KEY_ID to the Key Vault key version that wraps the KEK (docs/DEPLOYMENT.md)');
  try {
    const value = await newWrappedKek({ ...kv, keyId: kv.keyId }, args[1] ?? 'k1');
    io.out(`BREVDUE_KEK=${value}\n`);
    io.err('A new key-encryption key, wrapped by Key Vault. For a rotation: move the old BREVDUE_KEK value into BREVDUE_KEK_PREVIOUS, give this one a new --id, restart, then run `brevdue keys rewrap`.\n');
  } catch (e) {
    if (e instanceof KeyVaultError) throw new CliError(e.message);
    throw e;
  }
}
