import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import type { ProbeOutcome } from '../../core/probe.js';
import type { SshdConfigFacts, SshRemoteFacts } from '../../probes/ssh.js';
import { sshdConfigProbe, sshRemoteProbe } from '../../probes/ssh.js';

const PASSWORDISH = new Set(['password', 'keyboard-interactive']);

/**
 * Can root log in with a password under this configuration? PermitRootLogin must be `yes`, a password
 * method must be on (password, or keyboard-interactive through PAM), and AuthenticationMethods must not
 * demand a second factor on top of it.
 */
export function rootPasswordLogin(c: SshdConfigFacts): { possible: boolean; why: string } {
  if (c.permitRootLogin !== 'yes') {
    return { possible: false, why: `PermitRootLogin ${c.permitRootLogin}` };
  }
  const pw = c.passwordAuthentication === 'yes';
  const kbd = c.kbdInteractiveAuthentication === 'yes' && c.usePam === 'yes';
  if (!pw && !kbd) {
    return {
      possible: false,
      why: `PermitRootLogin yes, but PasswordAuthentication ${c.passwordAuthentication} and KbdInteractiveAuthentication ${c.kbdInteractiveAuthentication} (UsePAM ${c.usePam})`,
    };
  }
  if (c.authenticationMethods !== 'any') {
    const lists = c.authenticationMethods.split(/\s+/).map((l) => l.split(',').map((m) => m.split(':')[0]!));
    const passwordOnly = lists.some((l) => l.every((m) => PASSWORDISH.has(m)));
    if (!passwordOnly) {
      return {
        possible: false,
        why: `PermitRootLogin yes, but AuthenticationMethods ${c.authenticationMethods} requires more than a password`,
      };
    }
  }
  return {
    possible: true,
    why: `PermitRootLogin yes with ${pw ? 'PasswordAuthentication yes' : 'KbdInteractiveAuthentication yes through PAM'}`,
  };
}

function remoteFinding(o: ProbeOutcome<SshRemoteFacts>, local: ProbeOutcome<SshdConfigFacts>): Finding {
  if (!o.ok) {
    const hint =
      local.ok &&
      (local.value.passwordAuthentication === 'yes' || local.value.kbdInteractiveAuthentication === 'yes')
        ? ` (the local sshd configuration has ${local.value.passwordAuthentication === 'yes' ? 'PasswordAuthentication' : 'KbdInteractiveAuthentication'} yes; give --ssh to confirm what the server offers)`
        : '';
    return { outcome: 'offered', status: o.status, message: o.reason + hint };
  }
  const f = o.value;
  const where = `${f.host}:${f.port}`;
  const evidence = { server: where, software: f.software, methods: f.methods };
  if (!f.listening)
    return { outcome: 'offered', status: 'pass', message: `nothing listening on ${where}: no SSH service` };
  if (f.noneAccepted) {
    return {
      outcome: 'no-auth',
      status: 'fail',
      message: `${where} let a made-up user (${'civiguard-probe'}) in without any authentication`,
      evidence,
    };
  }
  const offered = (f.methods ?? []).filter((m) => PASSWORDISH.has(m));
  if (offered.length) {
    return {
      outcome: 'offered',
      status: 'fail',
      message: `${where} offers ${offered.join(' and ')} authentication (methods: ${f.methods!.join(', ')}): passwords can be guessed`,
      evidence,
    };
  }
  return {
    outcome: 'offered',
    status: 'pass',
    message: `${where} offers only ${f.methods?.join(', ') || 'no method'}${f.software ? ` (${f.software})` : ''}`,
    evidence,
  };
}

function localFinding(o: ProbeOutcome<SshdConfigFacts>): Finding {
  if (!o.ok) return { outcome: 'root-password', status: o.status, message: o.reason };
  const c = o.value;
  const r = rootPasswordLogin(c);
  const evidence = {
    source: c.source,
    from: c.from,
    permitRootLogin: c.permitRootLogin,
    passwordAuthentication: c.passwordAuthentication,
    kbdInteractiveAuthentication: c.kbdInteractiveAuthentication,
    usePam: c.usePam,
    authenticationMethods: c.authenticationMethods,
    notes: c.notes,
  };
  const caveat = c.notes.length ? ` (${c.notes.join('; ')})` : '';
  return r.possible
    ? {
        outcome: 'root-password',
        status: 'fail',
        message: `root may log in with a password (${r.why}; from ${c.source})${caveat}`,
        evidence,
      }
    : {
        outcome: 'root-password',
        status: 'pass',
        message: `root cannot log in with a password (${r.why}; from ${c.source})${caveat}`,
        evidence,
      };
}

export default defineCheck({
  id: 'ssh.password-auth',
  area: 'ssh',
  title: 'SSH password authentication',
  severity: 'warning',
  seed: 'Encrypted data transfer: SSH',
  description:
    'With --ssh HOST[:PORT], an SSH client asks for the `none` method as a made-up user and reads which methods the server offers; `password` or `keyboard-interactive` fails it (warning). No credentials are ever sent. On the server itself (--root) it reads sshd’s effective configuration (`sshd -T` for a root login from outside, else sshd_config with its Includes): root allowed to log in with a password is an error. No --ssh: skip; nothing listening: pass.',
  remediation:
    'Use keys only: in sshd_config set `PasswordAuthentication no`, `KbdInteractiveAuthentication no` and `PermitRootLogin prohibit-password` (or `no`), then `systemctl reload ssh`. Keep a working key login open while you change it.',
  references: ['https://man.openbsd.org/sshd_config', 'https://infosec.mozilla.org/guidelines/openssh'],
  outcomes: {
    offered: { title: 'SSH server offers password authentication', severity: 'warning' },
    'root-password': {
      title: 'Root may log in over SSH with a password',
      severity: 'error',
      remediation: 'Set `PermitRootLogin prohibit-password` (or `no`) in sshd_config and reload sshd.',
    },
    'no-auth': {
      title: 'SSH server accepts logins without authentication',
      severity: 'critical',
      remediation: 'Remove `PermitEmptyPasswords yes` / `AuthenticationMethods none` style settings at once.',
    },
  },
  probes: {},
  optional: { remote: sshRemoteProbe, local: sshdConfigProbe },
  mode: 'both',
  run(_facts, { optional }) {
    return [remoteFinding(optional.remote, optional.local), localFinding(optional.local)];
  },
});
