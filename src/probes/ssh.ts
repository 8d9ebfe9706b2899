import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
// ssh2 is loaded on first use: most audits never speak SSH.
import { describeError } from '../core/errors.js';
import { defineProbe, FactUnavailable } from '../core/probe.js';
import { pinnedAddress } from './net/resolve.js';

/**
 * SSH facts, two ways, never logging in:
 *  - remote (`--ssh HOST[:PORT]`): an SSH client (ssh2) asks for the `none` method as a made-up user;
 *    the server's USERAUTH_FAILURE lists the methods it still offers. Then the client gives up.
 *  - local (on the server, with --root): sshd's effective configuration, from `sshd -T` evaluated for a
 *    root login from an outside address, else sshd_config (+ Include) read directly.
 */

export interface SshRemoteFacts {
  host: string;
  port: number;
  listening: boolean;
  /** Server software from the identification string (e.g. OpenSSH_9.2p1). */
  software: string | null;
  /** Methods offered after `none` failed; null when the server accepted `none` or never said. */
  methods: string[] | null;
  /** The server let the made-up user in without any authentication. */
  noneAccepted: boolean;
}

export const PROBE_USER = 'civiguard-probe';

export interface ProbeSshOptions {
  host: string;
  port: number;
  address?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function probeSshMethods(o: ProbeSshOptions): Promise<SshRemoteFacts> {
  const { Client } = await import('ssh2');
  const facts: SshRemoteFacts = {
    host: o.host,
    port: o.port,
    listening: true,
    software: null,
    methods: null,
    noneAccepted: false,
  };
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      client.end();
      client.destroy();
      if (err) reject(err);
      else resolve(facts);
    };
    const onAbort = () => finish(o.signal?.reason instanceof Error ? o.signal.reason : new Error('aborted'));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    client.on('ready', () => {
      facts.noneAccepted = true;
      finish(null);
    });
    client.on('error', (e: Error & { level?: string; code?: string }) => {
      if (facts.methods !== null || e.level === 'client-authentication') return finish(null);
      if (e.code === 'ECONNREFUSED') {
        facts.listening = false;
        return finish(null);
      }
      finish(new FactUnavailable('error', `SSH ${o.host}:${o.port}: ${describeError(e)}`));
    });
    client.on('close', () => {
      if (facts.methods !== null) finish(null);
      else
        finish(
          new FactUnavailable('error', `SSH ${o.host}:${o.port}: connection closed before authentication`),
        );
    });
    client.on('handshake', () => {
      facts.software = (client as unknown as { _remoteVer?: string })._remoteVer ?? null;
    });
    try {
      client.connect({
        host: o.address ?? o.host,
        port: o.port,
        username: PROBE_USER,
        readyTimeout: o.timeoutMs ?? 10_000,
        // The host key is not judged here and no secret is sent: accept it to read the methods.
        hostVerifier: () => true,
        authHandler: (methodsLeft, _partial, next) => {
          if (methodsLeft === null) return next({ type: 'none', username: PROBE_USER });
          facts.methods = [...methodsLeft].slice(0, 20);
          // No real credentials, ever: stop here.
          return next(false as never);
        },
      });
    } catch (e) {
      finish(new FactUnavailable('error', `SSH ${o.host}:${o.port}: ${describeError(e)}`));
    }
  });
}

export const sshRemoteProbe = defineProbe<SshRemoteFacts>({
  name: 'ssh server',
  async run(ctx) {
    const ssh = ctx.target.ssh;
    if (!ssh) throw new FactUnavailable('skip', 'no --ssh HOST[:PORT] given');
    return probeSshMethods({
      host: ssh.host,
      port: ssh.port,
      address: pinnedAddress(ctx.target.resolve, ssh.host, ssh.port),
      timeoutMs: Math.min(ctx.target.timeoutMs, 10_000),
      signal: ctx.signal,
    });
  },
});

/* ---------------------------------------------------------------- local: sshd's configuration */

/** The settings that decide password logins, lower-case keywords as `sshd -T` prints them. */
export interface SshdConfigFacts {
  source: 'sshd -T' | 'sshd_config';
  /** Files read (sshd_config route) or the command run. */
  from: string[];
  permitRootLogin: string;
  passwordAuthentication: string;
  kbdInteractiveAuthentication: string;
  usePam: string;
  authenticationMethods: string;
  /** Things that make the reading less than exact (Match blocks not evaluated, unreadable includes). */
  notes: string[];
}

/** OpenSSH's defaults for what the config does not set. */
const DEFAULTS = {
  permitrootlogin: 'prohibit-password',
  passwordauthentication: 'yes',
  kbdinteractiveauthentication: 'yes',
  usepam: 'no',
  authenticationmethods: 'any',
} as const;
type Key = keyof typeof DEFAULTS;
const ALIASES: Record<string, Key> = {
  permitrootlogin: 'permitrootlogin',
  passwordauthentication: 'passwordauthentication',
  kbdinteractiveauthentication: 'kbdinteractiveauthentication',
  challengeresponseauthentication: 'kbdinteractiveauthentication',
  usepam: 'usepam',
  authenticationmethods: 'authenticationmethods',
};

function toFacts(
  values: Partial<Record<Key, string>>,
  source: SshdConfigFacts['source'],
  from: string[],
  notes: string[],
): SshdConfigFacts {
  const v = { ...DEFAULTS, ...values };
  return {
    source,
    from,
    permitRootLogin: v.permitrootlogin,
    passwordAuthentication: v.passwordauthentication,
    kbdInteractiveAuthentication: v.kbdinteractiveauthentication,
    usePam: v.usepam,
    authenticationMethods: v.authenticationmethods,
    notes,
  };
}

/** Parses `sshd -T` output (one `keyword value` a line). */
export function parseSshdT(text: string): Partial<Record<Key, string>> {
  const out: Partial<Record<Key, string>> = {};
  for (const line of text.split('\n').slice(0, 2000)) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    const key = m ? ALIASES[m[1]!.toLowerCase()] : undefined;
    if (m && key && out[key] === undefined) out[key] = m[2]!.trim().toLowerCase();
  }
  return out;
}

const MAX_CONFIG_BYTES = 256 * 1024;
const MAX_FILES = 64;

function globFiles(pattern: string): string[] {
  // Include takes globs; sshd_config.d/*.conf is the common form. Only `*` in the last part is supported.
  const dir = dirname(pattern);
  const base = pattern.slice(dir.length + 1);
  if (!base.includes('*') && !base.includes('?')) return existsSync(pattern) ? [pattern] : [];
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  try {
    return readdirSync(dir)
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/**
 * Reads sshd_config and its Includes the way sshd does for settings outside Match blocks: the first value
 * obtained wins; Include is expanded in place. Match blocks are not evaluated (noted).
 */
export function readSshdConfigFiles(file: string): SshdConfigFacts {
  const values: Partial<Record<Key, string>> = {};
  const notes: string[] = [];
  const read: string[] = [];
  const visit = (path: string, depth: number) => {
    if (depth > 16 || read.length >= MAX_FILES) {
      notes.push(`Include too deep or too many files at ${path}`);
      return;
    }
    let text: string;
    try {
      if (statSync(path).size > MAX_CONFIG_BYTES) {
        notes.push(`${path}: larger than ${MAX_CONFIG_BYTES} bytes, not read`);
        return;
      }
      text = readFileSync(path, 'utf8');
    } catch (e) {
      notes.push(`${path}: ${describeError(e)}`);
      return;
    }
    read.push(path);
    let inMatch = false;
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
      if (!m) continue;
      const kw = m[1]!.toLowerCase();
      const arg = m[2]!.trim().replace(/^"(.*)"$/, '$1');
      if (kw === 'match') {
        if (!inMatch)
          notes.push(`Match blocks in ${path} are not evaluated (run as root so that sshd -T can)`);
        inMatch = true;
        continue;
      }
      if (kw === 'include') {
        for (const pat of arg.split(/\s+/)) {
          const abs = isAbsolute(pat) ? pat : join('/etc/ssh', pat);
          for (const f of globFiles(abs)) visit(f, depth + 1);
        }
        continue;
      }
      if (inMatch) continue;
      const key = ALIASES[kw];
      if (key && values[key] === undefined) values[key] = arg.toLowerCase();
    }
  };
  visit(file, 0);
  if (read.length === 0) throw new FactUnavailable('error', `cannot read ${file}: ${notes.join('; ')}`);
  return toFacts(values, 'sshd_config', read, notes);
}

export interface SshdConfigOptions {
  sshd?: string;
  config?: string;
  /** Extra sshd arguments (tests: `-o HostKey=…`). */
  extraArgs?: string[];
  timeoutMs?: number;
}

/** `sshd -T` for a root login from an outside address (Match blocks applied), else the config files. */
export async function readSshdConfig(o: SshdConfigOptions = {}): Promise<SshdConfigFacts> {
  const sshd = o.sshd ?? '/usr/sbin/sshd';
  const config = o.config ?? '/etc/ssh/sshd_config';
  if (!existsSync(sshd) && !existsSync(config)) {
    throw new FactUnavailable('skip', `no OpenSSH server here (${sshd} and ${config} are absent)`);
  }
  const notes: string[] = [];
  if (existsSync(sshd)) {
    const args = [
      '-T',
      '-f',
      config,
      '-C',
      'user=root,host=civiguard.invalid,addr=203.0.113.1',
      ...(o.extraArgs ?? []),
    ];
    const r = await new Promise<{ ok: boolean; out: string; err: string }>((resolve) => {
      execFile(sshd, args, { timeout: o.timeoutMs ?? 10_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
        resolve({ ok: !err, out: String(stdout), err: String(stderr || (err ? describeError(err) : '')) }),
      );
    });
    if (r.ok) {
      return toFacts(parseSshdT(r.out), 'sshd -T', [`${sshd} ${args.join(' ')}`], notes);
    }
    notes.push(
      `sshd -T failed (${r.err.trim().split('\n')[0]?.slice(0, 200) ?? ''}); read ${config} instead`,
    );
  }
  const f = readSshdConfigFiles(config);
  return { ...f, notes: [...notes, ...f.notes] };
}

export const sshdConfigProbe = defineProbe<SshdConfigFacts>({
  name: 'sshd configuration (local)',
  async run(ctx) {
    if (!ctx.target.root)
      throw new FactUnavailable('skip', 'local part needs --root (civiguard run on the server)');
    return readSshdConfig({ timeoutMs: Math.min(ctx.target.timeoutMs, 10_000) });
  },
});
