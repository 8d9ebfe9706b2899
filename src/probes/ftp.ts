import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Client } from 'basic-ftp';
import type { FTPResponse } from 'basic-ftp';
import { describeError } from '../core/errors.js';
import { defineProbe, FactUnavailable } from '../core/probe.js';
import { pinnedAddress } from './net/resolve.js';

/**
 * What an FTP server says about TLS and logins, asked with basic-ftp. No real credentials are ever sent:
 * a plain-text login is tested with `USER` of a random, non-existent name (the reply tells whether the
 * server would take a password in clear text: 331, or insists on TLS first: 530/534), and anonymous
 * login with the conventional `anonymous` user and an e-mail-shaped password.
 */
export interface FtpFacts {
  host: string;
  port: number;
  /** Nothing accepted a connection there (ECONNREFUSED). */
  listening: boolean;
  /** First line of the 220 greeting (capped). */
  banner: string | null;
  /** FEAT lines, upper-cased names (capped); null when FEAT is not supported. */
  features: string[] | null;
  authTlsOffered: boolean;
  /** AUTH TLS then a TLS handshake: worked, failed (with why), or was not tried. */
  tls: { ok: true; protocol: string | null } | { ok: false; reason: string } | null;
  /** Reply to `USER <random>` before TLS: would the server take a password in clear text? */
  plainUser: { code: number; message: string } | null;
  plainLoginAccepted: boolean | null;
  /** Anonymous login: allowed (and over what), refused, or not determinable. */
  anonymous: { allowed: boolean; over: 'plain' | 'tls' | null; reply: string } | null;
}

const cap = (s: string, n = 200) =>
  s
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, n);

/** 331/332 (send password) or 230 (logged in) after USER: a login goes on in clear text. */
const goesOn = (code: number) => code === 331 || code === 332 || code === 230;

async function tryCommand(client: Client, cmd: string): Promise<FTPResponse | { code: 0; message: string }> {
  try {
    return await client.sendIgnoringError(cmd);
  } catch (e) {
    // Some servers close the connection right after a refusal.
    return { code: 0, message: describeError(e) };
  }
}

export interface ProbeFtpOptions {
  host: string;
  port: number;
  /** Address to connect to (a --resolve pin), default the host. */
  address?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function probeFtp(o: ProbeFtpOptions): Promise<FtpFacts> {
  const timeout = o.timeoutMs ?? 10_000;
  const addr = o.address ?? o.host;
  const facts: FtpFacts = {
    host: o.host,
    port: o.port,
    listening: true,
    banner: null,
    features: null,
    authTlsOffered: false,
    tls: null,
    plainUser: null,
    plainLoginAccepted: null,
    anonymous: null,
  };
  // basic-ftp is loaded on first use: most audits never speak FTP.
  const { Client: FtpClient } = await import('basic-ftp');
  const clients = new Set<Client>();
  const open = async (): Promise<Client> => {
    const c = new FtpClient(timeout);
    clients.add(c);
    const greet = await c.connect(addr, o.port);
    facts.banner ??= cap(greet.message.split('\n')[0] ?? '');
    return c;
  };
  const onAbort = () => clients.forEach((c) => c.close());
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let c: Client;
    try {
      c = await open();
    } catch (e) {
      const msg = describeError(e);
      if (/ECONNREFUSED/.test(msg)) return { ...facts, listening: false };
      throw new FactUnavailable('error', `FTP ${o.host}:${o.port}: ${msg}`);
    }
    // 1. FEAT: is AUTH TLS offered?
    const feat = await tryCommand(c, 'FEAT');
    if (feat.code === 211) {
      facts.features = feat.message
        .split(/\r?\n/)
        .slice(1, -1)
        .map((l) => l.trim().toUpperCase())
        .filter(Boolean)
        .slice(0, 100);
      facts.authTlsOffered = facts.features.some((f) => /^AUTH\b.*\bTLS\b/.test(f));
    }
    // 2. USER <random> in clear text: 331 means the password would follow unencrypted.
    const probeUser = `civiguard-probe-${randomBytes(4).toString('hex')}`;
    const u = await tryCommand(c, `USER ${probeUser}`);
    facts.plainUser = { code: u.code, message: cap(u.message) };
    facts.plainLoginAccepted = u.code === 0 ? null : goesOn(u.code);
    c.close();

    // 3. Anonymous in clear text.
    const anon = async (client: Client, over: 'plain' | 'tls') => {
      const r = await tryCommand(client, 'USER anonymous');
      if (r.code === 230) return { allowed: true, over, reply: cap(r.message) };
      if (r.code === 331 || r.code === 332) {
        const p = await tryCommand(client, 'PASS civiguard@example.invalid');
        return { allowed: p.code === 230, over: p.code === 230 ? over : null, reply: cap(p.message) };
      }
      return { allowed: false, over: null, reply: cap(r.message) };
    };
    c = await open();
    facts.anonymous = await anon(c, 'plain');
    c.close();

    // 4. TLS: does AUTH TLS work, and is anonymous allowed over it when refused in clear?
    if (facts.authTlsOffered || facts.features === null) {
      c = await open();
      try {
        await c.useTLS({ rejectUnauthorized: false, ...(isIP(o.host) ? {} : { servername: o.host }) });
        const sock = c.ftp.socket as { getProtocol?: () => string | null };
        facts.tls = { ok: true, protocol: sock.getProtocol?.() ?? null };
        facts.authTlsOffered = true;
        // Retry anonymous over TLS only when the clear-text refusal was about encryption.
        if (!facts.anonymous.allowed && /encrypt|TLS|SSL|secure/i.test(facts.anonymous.reply)) {
          const overTls = await anon(c, 'tls');
          if (overTls.allowed) facts.anonymous = overTls;
        }
      } catch (e) {
        if (facts.authTlsOffered) facts.tls = { ok: false, reason: describeError(e) };
      } finally {
        c.close();
      }
    }
    return facts;
  } catch (e) {
    if (e instanceof FactUnavailable) throw e;
    if (o.signal?.aborted) throw o.signal.reason;
    throw new FactUnavailable('error', `FTP ${o.host}:${o.port}: ${describeError(e)}`);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    clients.forEach((c) => c.close());
  }
}

export const ftpProbe = defineProbe<FtpFacts>({
  name: 'ftp server',
  async run(ctx) {
    const ftp = ctx.target.ftp;
    if (!ftp) throw new FactUnavailable('skip', 'no --ftp HOST[:PORT] given');
    return probeFtp({
      host: ftp.host,
      port: ftp.port,
      address: pinnedAddress(ctx.target.resolve, ftp.host, ftp.port),
      timeoutMs: Math.min(ctx.target.timeoutMs, 10_000),
      signal: ctx.signal,
    });
  },
});
