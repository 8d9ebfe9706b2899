/**
 * A throw-away FTP server for integration tests: Debian's `vsftpd` with a temp config, on 127.0.0.1 and
 * an ephemeral port, passive data ports on loopback. Nothing of the system's vsftpd is touched.
 *
 * API
 *   vsftpdMissing(): string | null                 — why it cannot run here (tests t.skip(reason))
 *   startVsftpd(opts?): Promise<Vsftpd>
 *     opts.tls        'off' (default): plain FTP, no AUTH TLS
 *                     'offered': AUTH TLS available, plain logins still accepted
 *                     'required': ssl_enable=YES force_local_logins_ssl=YES force_local_data_ssl=YES
 *     opts.anonymous  allow anonymous login (default false)
 *   Vsftpd { host, port, caPem (the self-signed cert's PEM when TLS is on), dir, stop() }
 * Needs root (vsftpd drops to `nobody`/`ftp` itself); started in the foreground (background=NO) so the
 * test owns the process. Startup is checked by reading the 220 greeting.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSigned } from '../../pki/index.js';
import { freePort } from './mariadb.js';

export interface VsftpdOptions {
  tls?: 'off' | 'offered' | 'required';
  anonymous?: boolean;
}

export interface Vsftpd {
  host: string;
  port: number;
  caPem: string | null;
  dir: string;
  stop(): Promise<void>;
}

const BIN = '/usr/sbin/vsftpd';

export function vsftpdMissing(): string | null {
  if (!existsSync(BIN)) return `${BIN} is not installed (apt-get install vsftpd)`;
  if (process.getuid?.() !== 0) return 'vsftpd must be started as root';
  return null;
}

function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (e: Error | null) => {
      s.destroy();
      if (e) reject(e);
      else resolve(buf);
    };
    s.setTimeout(2000, () => done(new Error('no greeting')));
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (/\r?\n/.test(buf)) done(null);
    });
    s.on('error', done);
  });
}

export async function startVsftpd(opts: VsftpdOptions = {}): Promise<Vsftpd> {
  const missing = vsftpdMissing();
  if (missing) throw new Error(missing);
  const tls = opts.tls ?? 'off';
  const dir = mkdtempSync(join(tmpdir(), 'civiguard-vsftpd-'));
  chmodSync(dir, 0o755);
  const empty = join(dir, 'empty');
  const anonRoot = join(dir, 'anon');
  mkdirSync(empty, { mode: 0o755 });
  mkdirSync(anonRoot, { mode: 0o755 });
  writeFileSync(join(anonRoot, 'README'), 'public\n');
  const port = await freePort();
  const pasvMin = await freePort();
  let caPem: string | null = null;
  const conf = [
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'background=NO',
    `anonymous_enable=${opts.anonymous ? 'YES' : 'NO'}`,
    `anon_root=${anonRoot}`,
    'no_anon_password=YES',
    'local_enable=YES',
    'write_enable=NO',
    'pasv_enable=YES',
    'pasv_address=127.0.0.1',
    `pasv_min_port=${pasvMin}`,
    `pasv_max_port=${pasvMin}`,
    `secure_chroot_dir=${empty}`,
    'pam_service_name=vsftpd',
    'seccomp_sandbox=NO',
    'xferlog_enable=NO',
    'dirmessage_enable=NO',
    'use_localtime=YES',
    'connect_from_port_20=NO',
    'ftpd_banner=civiguard test FTP',
    // vsftpd waits after a refused login; the tests refuse on purpose, so no wait.
    'delay_failed_login=0',
  ];
  if (tls !== 'off') {
    const cert = await createSelfSigned({
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      key: { type: 'rsa', bits: 2048 },
    });
    caPem = cert.certPem;
    writeFileSync(join(dir, 'cert.pem'), cert.certPem);
    writeFileSync(join(dir, 'key.pem'), cert.keyPem, { mode: 0o600 });
    conf.push(
      'ssl_enable=YES',
      `rsa_cert_file=${join(dir, 'cert.pem')}`,
      `rsa_private_key_file=${join(dir, 'key.pem')}`,
      'ssl_ciphers=HIGH',
      'require_ssl_reuse=NO',
      'allow_anon_ssl=YES',
      `force_local_logins_ssl=${tls === 'required' ? 'YES' : 'NO'}`,
      `force_local_data_ssl=${tls === 'required' ? 'YES' : 'NO'}`,
      'force_anon_logins_ssl=NO',
      'force_anon_data_ssl=NO',
    );
  }
  const confFile = join(dir, 'vsftpd.conf');
  writeFileSync(confFile, conf.join('\n') + '\n', { mode: 0o600 });
  const proc: ChildProcess = spawn(BIN, [confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  proc.on('exit', () => (exited = true));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`vsftpd exited during startup: ${stderr.trim() || '(no output)'}`);
    }
    try {
      const g = await greeting(port);
      if (g.startsWith('220')) break;
      throw new Error(`unexpected greeting ${g}`);
    } catch (e) {
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`vsftpd did not greet within 15 s: ${String(e)} ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    host: '127.0.0.1',
    port,
    caPem,
    dir,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 2000);
        await done;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
