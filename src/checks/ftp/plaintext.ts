import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { ftpProbe } from '../../probes/ftp.js';

export default defineCheck({
  id: 'ftp.plaintext',
  area: 'ftp',
  title: 'FTP without TLS',
  severity: 'error',
  seed: 'Encrypted data transfer: FTPS',
  description:
    'With --ftp HOST[:PORT], connects with an FTP client (basic-ftp): reads FEAT for AUTH TLS and tries the TLS upgrade; sends USER with a random non-existent name in clear text (331 means the server would take the password unencrypted); tries an anonymous login. Fails when AUTH TLS is missing or broken, a login may proceed without TLS, or anonymous login works. No real credentials are ever sent. Nothing listening: pass.',
  remediation:
    'Prefer SFTP (over SSH) and turn FTP off. If FTP must stay: require TLS for logins and data (vsftpd: `ssl_enable=YES`, `force_local_logins_ssl=YES`, `force_local_data_ssl=YES`; ProFTPD: `TLSRequired on`) and disable anonymous login (`anonymous_enable=NO`).',
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/',
    'https://www.rfc-editor.org/rfc/rfc4217',
  ],
  outcomes: {
    'no-tls': { title: 'FTP server offers no working AUTH TLS', severity: 'error' },
    'plaintext-login': { title: 'FTP login accepted without TLS', severity: 'error' },
    anonymous: {
      title: 'Anonymous FTP login allowed',
      severity: 'error',
      remediation:
        'Disable anonymous FTP (vsftpd: `anonymous_enable=NO`; ProFTPD: remove the <Anonymous> block).',
    },
  },
  probes: { ftp: ftpProbe },
  mode: 'remote',
  run({ ftp }) {
    const where = `${ftp.host}:${ftp.port}`;
    if (!ftp.listening) {
      return [{ status: 'pass', message: `nothing listening on ${where}: no FTP service to protect` }];
    }
    const evidence = {
      server: where,
      banner: ftp.banner,
      features: ftp.features,
      tls: ftp.tls,
      userReply: ftp.plainUser,
      anonymous: ftp.anonymous,
    };
    const out: Finding[] = [];
    if (ftp.tls?.ok) {
      out.push({
        outcome: 'no-tls',
        status: 'pass',
        message: `AUTH TLS works${ftp.tls.protocol ? ` (${ftp.tls.protocol})` : ''}`,
        evidence,
      });
    } else {
      out.push({
        outcome: 'no-tls',
        status: 'fail',
        message: ftp.tls
          ? `AUTH TLS is offered but the TLS upgrade fails: ${ftp.tls.reason}`
          : `${where} offers no AUTH TLS${ftp.features === null ? ' (no FEAT, and AUTH TLS was refused)' : ' in FEAT'}: logins and files cross the network in clear text`,
        evidence,
      });
    }
    if (ftp.plainLoginAccepted === null) {
      out.push({
        outcome: 'plaintext-login',
        status: 'error',
        message: `could not tell whether a clear-text login is accepted: ${ftp.plainUser?.message ?? 'no reply to USER'}`,
        evidence,
      });
    } else if (ftp.plainLoginAccepted) {
      out.push({
        outcome: 'plaintext-login',
        status: 'fail',
        message: `USER before TLS got "${ftp.plainUser!.code} ${ftp.plainUser!.message.replace(/^\d{3}[ -]?/, '')}": the password would be sent in clear text`,
        evidence,
      });
    } else {
      out.push({
        outcome: 'plaintext-login',
        status: 'pass',
        message: `USER before TLS is refused (${ftp.plainUser!.code}): logins need TLS`,
        evidence,
      });
    }
    if (ftp.anonymous?.allowed) {
      out.push({
        outcome: 'anonymous',
        status: 'fail',
        message: `anonymous login is allowed${ftp.anonymous.over === 'tls' ? ' (over TLS)' : ''}`,
        evidence,
      });
    } else {
      out.push({
        outcome: 'anonymous',
        status: 'pass',
        message: `anonymous login refused${ftp.anonymous ? ` (${ftp.anonymous.reply})` : ''}`,
        evidence,
      });
    }
    return out;
  },
});
