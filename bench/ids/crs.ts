// Apache 2.4 + ModSecurity 2 + the Debian OWASP CRS 3.3.4 on a loopback port, in a temporary directory,
// at a chosen paranoia level. Used by the IDS benchmark to reproduce the CRS columns on this machine
// (one corpus value per POST, counting 403s) and to compare throughput per request.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

const APACHE = '/usr/sbin/apache2';
const MODSEC = '/usr/lib/apache2/modules/mod_security2.so';
const MODULES = '/usr/lib/apache2/modules';
const CRS_SETUP = '/etc/modsecurity/crs/crs-setup.conf';
const CRS_RULES = '/usr/share/modsecurity-crs/rules';
const RECOMMENDED = '/etc/modsecurity/modsecurity.conf-recommended';

export function crsAvailable(): string | null {
  for (const p of [APACHE, MODSEC, CRS_SETUP, CRS_RULES, RECOMMENDED])
    if (!existsSync(p))
      return `${p} is missing (apt-get install apache2 libapache2-mod-security2 modsecurity-crs)`;
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Crs {
  url: string;
  paranoia: number;
  /** The Apache parent process (its workers are its children). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts Apache with ModSecurity (SecRuleEngine On) and the CRS at paranoia level `pl`. */
export async function startCrs(pl: number, withModsecurity = true): Promise<Crs> {
  const dir = mkdtempSync(join(tmpdir(), `civiguard-crs-pl${pl}-`));
  chmodSync(dir, 0o755);
  const www = join(dir, 'www');
  mkdirSync(www);
  writeFileSync(join(www, 'index.html'), 'ok\n');
  mkdirSync(join(dir, 'tmp'), { mode: 0o777 });
  chmodSync(join(dir, 'tmp'), 0o777);
  const port = await freePort();
  const modsec = readFileSync(RECOMMENDED, 'utf8')
    .replace(/^SecRuleEngine .*$/m, 'SecRuleEngine On')
    .replace(/^SecAuditEngine .*$/m, 'SecAuditEngine Off')
    .replace(/^SecAuditLog .*$/m, `SecAuditLog ${join(dir, 'audit.log')}`)
    .replace(/^SecTmpDir .*$/m, `SecTmpDir ${join(dir, 'tmp')}`)
    .replace(/^SecDataDir .*$/m, `SecDataDir ${join(dir, 'tmp')}`)
    .replace(/^SecUnicodeMapFile unicode\.mapping/m, 'SecUnicodeMapFile /etc/modsecurity/unicode.mapping');
  writeFileSync(join(dir, 'modsecurity.conf'), modsec);
  writeFileSync(
    join(dir, 'crs-setup.conf'),
    readFileSync(CRS_SETUP, 'utf8') +
      `\nSecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=${pl}"\n` +
      // one value per request: the request is blocked when its inbound anomaly score reaches the default 5
      `SecAction "id:900110,phase:1,nolog,pass,t:none,setvar:tx.inbound_anomaly_score_threshold=5,setvar:tx.outbound_anomaly_score_threshold=4"\n`,
  );
  const user = userInfo();
  const conf = `
ServerRoot "${dir}"
PidFile "${join(dir, 'apache.pid')}"
Mutex file:${dir} default
Listen 127.0.0.1:${port}
ServerName crs.test
${user.uid === 0 ? 'User nobody\nGroup nogroup' : ''}
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule dir_module ${MODULES}/mod_dir.so
LoadModule mime_module ${MODULES}/mod_mime.so
LoadModule unique_id_module ${MODULES}/mod_unique_id.so
${withModsecurity ? `LoadModule security2_module ${MODSEC}` : ''}
TypesConfig /etc/mime.types
ErrorLog "${join(dir, 'error.log')}"
LogLevel warn
StartServers 2
ServerLimit 4
ThreadsPerChild 25
MaxRequestWorkers 100
MinSpareThreads 25
MaxSpareThreads 100
KeepAlive On
MaxKeepAliveRequests 0
DocumentRoot "${www}"
<Directory "${www}">
  Require all granted
</Directory>
${
  withModsecurity
    ? `<IfModule security2_module>
  Include "${join(dir, 'modsecurity.conf')}"
  Include "${join(dir, 'crs-setup.conf')}"
  Include "${CRS_RULES}/*.conf"
</IfModule>`
    : ''
}
`;
  const confFile = join(dir, 'apache2.conf');
  writeFileSync(confFile, conf);
  const test = spawnSync(APACHE, ['-t', '-f', confFile], { encoding: 'utf8' });
  if (test.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`apache2 -t failed: ${test.stderr || test.stdout}`);
  }
  const child = spawn(APACHE, ['-f', confFile, '-k', 'start', '-DFOREGROUND'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${url}/index.html`, { headers: { host: 'crs.test' } });
      await r.arrayBuffer();
      break;
    } catch {
      if (i > 100 || child.exitCode !== null) {
        child.kill('SIGKILL');
        const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`apache2 did not start: ${stderr}${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    paranoia: pl,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds used so far by a process and its children (user, system), from /proc (Linux). */
export function treeCpuSeconds(pid: number): { user: number; system: number } {
  const tick = 100; // USER_HZ on Linux
  let user = 0;
  let system = 0;
  const seen = new Set<number>();
  const visit = (p: number) => {
    if (seen.has(p)) return;
    seen.add(p);
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      user += Number(fields[11]) / tick;
      system += Number(fields[12]) / tick;
    } catch {
      return;
    }
    try {
      for (const t of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(/\s+/).filter(Boolean))
        visit(Number(t));
    } catch {
      // no children file: fine
    }
  };
  visit(pid);
  return { user, system };
}
