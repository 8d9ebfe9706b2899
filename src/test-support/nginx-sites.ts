/**
 * Two CiviCRM-on-Drupal sites behind Debian's nginx, for end-to-end tests and the audit benchmark:
 * `bad.test` (misconfigured the way real sites are) and `good.test` (hardened as civiguard recommends).
 * Both share one nginx (SNI on one https port, Host on one http port); certificates come from a throw-away CA.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, issueCert } from '../pki/index.js';
import type { NginxHandle } from './servers/nginx.js';
import { startNginx } from './servers/nginx.js';

export const SITE_HOSTS = ['bad.test', 'good.test', 'expired.test', 'mismatch.test'] as const;
export type SiteHost = (typeof SITE_HOSTS)[number];

export interface NginxSites {
  nginx: NginxHandle;
  caFile: string;
  /** audit inputs for a host: url, httpUrl, resolve pins, ca. */
  inputs(host: SiteHost): { url: string; httpUrl: string; resolve: string[]; ca: string[] };
  stop(): Promise<void>;
}

const drupalHome = (
  extra = '',
) => `<!DOCTYPE html><html><head><meta name="Generator" content="Drupal 10 (https://www.drupal.org)">
<link rel="stylesheet" href="/sites/default/files/css/site.css">${extra}</head>
<body><h1>Friends of the Earth Example</h1><a href="/civicrm/contribute/transact?reset=1&id=1">Donate</a>
<form action="/user/login" method="post"><input name="name"><input type="password" name="pass"></form></body></html>`;

export async function startNginxSites(): Promise<NginxSites> {
  const ca = await createCa('civiguard e2e CA');
  const bad = await issueCert(ca, { dnsNames: ['bad.test'], key: { type: 'rsa', bits: 2048 } });
  const good = await issueCert(ca, { dnsNames: ['good.test'] });
  const DAY = 86_400_000;
  const expired = await issueCert(ca, {
    dnsNames: ['expired.test'],
    notBefore: new Date(Date.now() - 100 * DAY),
    notAfter: new Date(Date.now() - 10 * DAY),
  });
  const mismatch = await issueCert(ca, { dnsNames: ['other.test'] });
  const nginx = await startNginx({
    files: {
      'ca.pem': ca.certPem,
      'bad.crt': bad.certPem + ca.certPem,
      'bad.key': bad.keyPem,
      'good.crt': good.certPem + ca.certPem,
      'good.key': good.keyPem,
      'expired.crt': expired.certPem + ca.certPem,
      'expired.key': expired.keyPem,
      'mismatch.crt': mismatch.certPem + ca.certPem,
      'mismatch.key': mismatch.keyPem,
      'plain/index.html': '<!DOCTYPE html><title>plain</title><p>hello</p>',
      'bad/index.html': drupalHome('<script src="http://cdn.example.net/jquery.js"></script>'),
      'bad/user/login/index.html': drupalHome(),
      'bad/civicrm/contribute/transact/index.html': drupalHome(),
      'bad/sites/default/files/civicrm/upload/Donors_2024_1122334455.csv':
        'first,last,email\nAda,Lovelace,ada@example.org\n',
      'bad/sites/default/files/civicrm/ConfigAndLog/CiviCRM.1f2e3d4c5b6a.log':
        'Dec 01 10:00:00  [info] $DSN = mysql://civi:hunter2@localhost/civicrm\n',
      'bad/sites/default/files/civicrm/templates_c/en_US/%%AB^ABC^ABCDEF%%Page.tpl.php':
        '<?php /* compiled */ ?>',
      'bad/backup.sql':
        '-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB\nCREATE TABLE `civicrm_contact` (id int);\n',
      'bad/.git/HEAD': 'ref: refs/heads/main\n',
      'bad/.git/config': '[core]\n\trepositoryformatversion = 0\n',
      'good/index.html': drupalHome(),
      'good/user/login/index.html': drupalHome(),
      'good/civicrm/contribute/transact/index.html': drupalHome(),
      'good/sites/default/files/civicrm/upload/Donors_2024_1122334455.csv': 'first,last\n',
      'good/sites/default/files/civicrm/ConfigAndLog/CiviCRM.1f2e3d4c5b6a.log': 'log\n',
      'good/sites/default/files/civicrm/persist/contribute/logo.png': 'PNG',
    },
    extraPorts: 1,
    servers: (p, dir) => `
  # bad.test: TLS 1.0/1.1 on, weak and non-forward-secret suites, plain http served, no HSTS, version
  # disclosed, session cookie without Secure/HttpOnly/SameSite, listings and leftovers reachable.
  server {
    listen 127.0.0.1:${p.http};
    listen 127.0.0.1:${p.https} ssl;
    server_name bad.test;
    ssl_certificate ${dir}/bad.crt;
    ssl_certificate_key ${dir}/bad.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers 'ECDHE-RSA-AES128-SHA:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0';
    ssl_prefer_server_ciphers on;
    server_tokens on;
    root ${dir}/bad;
    autoindex on;
    add_header X-Powered-By "PHP/7.4.3";
    add_header Set-Cookie "SESS0123456789abcdef0123456789abcdef=abcdefghijklmnopqrstuvwxyz012345; path=/";
    location / { try_files $uri $uri/index.html $uri/ =404; }
  }

  # good.test: TLS 1.2/1.3 with forward-secret AEAD suites, http redirects, HSTS, no versions, secure cookies,
  # private CiviCRM dirs and dot/backup files denied, no listings.
  server {
    listen 127.0.0.1:${p.http};
    server_name good.test;
    server_tokens off;
    return 301 https://$host:${p.extra[0]}$request_uri;
  }
  server {
    listen 127.0.0.1:${p.extra[0]} ssl;
    server_name good.test;
    ssl_certificate ${dir}/good.crt;
    ssl_certificate_key ${dir}/good.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305';
    server_tokens off;
    root ${dir}/good;
    autoindex off;
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    add_header Set-Cookie "SSESS0123456789abcdef0123456789abcdef=abcdefghijklmnopqrstuvwxyz012345; path=/; Secure; HttpOnly; SameSite=Lax" always;
    location ~ /\\. { deny all; }
    location ~* \\.(sql|sql\\.gz|tar\\.gz|tgz|zip|bak|orig|save|swp)$ { deny all; }
    location ~ ^/sites/[^/]+/files/civicrm/(upload|custom|ConfigAndLog|templates_c)/ { deny all; }
    location ~ ^/(user/login|civicrm/admin|civicrm/contribute|civicrm/event) { allow 127.0.0.2; deny all; try_files $uri $uri/index.html =404; }
    location / { try_files $uri $uri/index.html =404; }
  }

  # expired.test: an expired certificate; mismatch.test: a certificate for another name. TLS 1.2/1.3 only.
  server {
    listen 127.0.0.1:${p.extra[0]} ssl;
    server_name expired.test;
    ssl_certificate ${dir}/expired.crt;
    ssl_certificate_key ${dir}/expired.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root ${dir}/plain;
  }
  server {
    listen 127.0.0.1:${p.extra[0]} ssl;
    server_name mismatch.test;
    ssl_certificate ${dir}/mismatch.crt;
    ssl_certificate_key ${dir}/mismatch.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root ${dir}/plain;
  }
`,
  });
  const caFile = join(nginx.dir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  return {
    nginx,
    caFile,
    inputs: (host) => {
      // bad.test has an https port of its own: nginx takes ssl_protocols from a port's default server.
      const https = host === 'bad.test' ? nginx.ports.https : nginx.ports.extra[0]!;
      return {
        url: `https://${host}:${https}/`,
        httpUrl: `http://${host}:${nginx.ports.http}/`,
        resolve: [`${host}:${https}:127.0.0.1`, `${host}:${nginx.ports.http}:127.0.0.1`],
        ca: [caFile],
      };
    },
    stop: () => nginx.stop(),
  };
}
