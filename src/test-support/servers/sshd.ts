/**
 * A throw-away OpenSSH server for integration tests: Debian's `/usr/sbin/sshd` on 127.0.0.1 and an
 * ephemeral port, with a temp host key, its own config, an authorized key for the current user and
 * the internal SFTP subsystem. The system's sshd and its config are not touched.
 *
 * API
 *   sshdMissing(): string | null                  — why sshd/ssh-keygen are unavailable (tests t.skip(reason))
 *   startSshd(opts?): Promise<Sshd>
 *     opts.passwordAuthentication (default false) — `PasswordAuthentication yes|no`
 *     opts.kbdInteractive (default false)         — `KbdInteractiveAuthentication yes|no`
 *     opts.permitRootLogin (default 'prohibit-password')
 *     opts.extraConfig                            — more sshd_config lines
 *   Sshd {
 *     host ('127.0.0.1'), port, user (the current user), dir (temp dir; writable, for SFTP repositories),
 *     keyFile (the user's private key, OpenSSH format), publicKey,
 *     hostKeyFingerprint ('SHA256:…'), knownHosts (a known_hosts file with this server's key),
 *     sftpUrl(path)        — sftp://user@127.0.0.1:port/path?key=…&known_hosts=…
 *     dropConnections()    — SIGKILLs the per-connection sshd processes (the daemon keeps listening)
 *     stop()               — kills everything and removes the temp dir
 *   }
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './mariadb.js';

export interface SshdOptions {
  passwordAuthentication?: boolean;
  kbdInteractive?: boolean;
  permitRootLogin?: 'yes' | 'no' | 'prohibit-password';
  extraConfig?: string[];
}

export interface Sshd {
  host: string;
  port: number;
  user: string;
  dir: string;
  keyFile: string;
  publicKey: string;
  hostKeyFingerprint: string;
  knownHosts: string;
  sftpUrl(path: string): string;
  dropConnections(): void;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const KEYGEN = '/usr/bin/ssh-keygen';

export function sshdMissing(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server)`;
  if (!existsSync(KEYGEN)) return `${KEYGEN} is not installed (apt-get install openssh-client)`;
  return null;
}

function keygen(file: string): void {
  const r = spawnSync(KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'civiguard-test', '-f', file], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

/** Descendants of a process, from /proc (Linux). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(fields[1]));
    } catch {
      // process gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp === p) {
        out.push(c);
        walk(c);
      }
    }
  };
  walk(pid);
  return out;
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const missing = sshdMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'civiguard-sshd-'));
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const keyFile = join(dir, 'id_ed25519');
  keygen(hostKey);
  keygen(keyFile);
  const publicKey = readFileSync(`${keyFile}.pub`, 'utf8').trim();
  writeFileSync(join(dir, 'authorized_keys'), publicKey + '\n', { mode: 0o600 });
  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
  const blob = Buffer.from(hostPub[1]!, 'base64');
  const hostKeyFingerprint =
    'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  const port = await freePort();
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}\n`);
  const data = join(dir, 'data');
  mkdirSync(data);
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const user = userInfo().username;
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PasswordAuthentication ${opts.passwordAuthentication ? 'yes' : 'no'}`,
    `KbdInteractiveAuthentication ${opts.kbdInteractive ? 'yes' : 'no'}`,
    `PermitRootLogin ${opts.permitRootLogin ?? 'prohibit-password'}`,
    'UsePAM no',
    'StrictModes no',
    'Subsystem sftp internal-sftp',
    'LogLevel ERROR',
    'MaxStartups 100',
    'MaxSessions 100',
    ...(opts.extraConfig ?? []),
  ];
  const cfgFile = join(dir, 'sshd_config');
  writeFileSync(cfgFile, config.join('\n') + '\n');
  const proc: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', cfgFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  proc.on('exit', () => (exited = true));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd exited: ${stderr}`);
    }
    const banner = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
    });
    if (banner) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`sshd did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const dropConnections = () => {
    for (const pid of descendants(proc.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  return {
    host: '127.0.0.1',
    port,
    user,
    dir: data,
    keyFile,
    publicKey,
    hostKeyFingerprint,
    knownHosts,
    sftpUrl: (path) =>
      `sftp://${user}@127.0.0.1:${port}${path.startsWith('/') ? '' : '/'}${path}?key=${encodeURIComponent(keyFile)}&known_hosts=${encodeURIComponent(knownHosts)}`,
    dropConnections,
    async stop() {
      dropConnections();
      if (!exited) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
