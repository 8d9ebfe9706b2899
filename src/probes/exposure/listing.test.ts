import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseListing } from './listing.js';

const dir = new URL('https://example.org/sites/default/files/civicrm/upload/');
const P = '/sites/default/files/civicrm/upload/';

// Captured shapes of each server's autoindex page (nginx 1.22, Apache 2.4, lighttpd 1.4, IIS 10, Python).
const NGINX = `<html>\r\n<head><title>Index of ${P}</title></head>\r\n<body>\r\n<h1>Index of ${P}</h1><hr><pre><a href="../">../</a>\r\n<a href="sub/">sub/</a>                                               04-Dec-2026 10:00                   -\r\n<a href="Donors%202024.csv">Donors 2024.csv</a>                                    04-Dec-2026 10:00                  28\r\n</pre><hr></body>\r\n</html>\r\n`;
const APACHE = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html>
 <head>
  <title>Index of ${P.slice(0, -1)}</title>
 </head>
 <body>
<h1>Index of ${P.slice(0, -1)}</h1>
  <table>
   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
   <tr><th colspan="5"><hr></th></tr>
<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/sites/default/files/civicrm/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="a.csv">a.csv</a></td><td align="right">2026-12-04 10:00  </td><td align="right"> 28 </td><td>&nbsp;</td></tr>
   <tr><th colspan="5"><hr></th></tr>
</table>
<address>Apache/2.4.62 (Debian) Server at example.org Port 443</address>
</body></html>`;
const APACHE_PRE = `<html><head><title>Index of ${P}</title></head><body><h1>Index of ${P}</h1><pre>      <a href="?C=N;O=D">Name</a>  <hr>      <a href="/sites/default/files/civicrm/">Parent Directory</a>
      <a href="x.pdf">x.pdf</a>  04-Dec-2026 10:00   12K
<hr></pre></body></html>`;
const LIGHTTPD = `<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html><html><head><title>Index of ${P}</title></head><body><h2>Index of ${P}</h2>
<div class="list"><table summary="Directory Listing" cellpadding="0" cellspacing="0">
<tr class="d"><td class="n"><a href="../">Parent Directory</a>/</td></tr>
<tr><td class="n"><a href="b.csv">b.csv</a></td></tr></table></div><div class="foot">lighttpd/1.4.69</div></body></html>`;
const IIS = `<html><head><title>example.org - ${P}</title></head><body><H1>example.org - ${P}</H1><hr>

<pre><A HREF="/sites/default/files/civicrm/">[To Parent Directory]</A><br><br> 12/4/2026 10:00 AM           28 <A HREF="${P}c.csv">c.csv</A><br></pre><hr></body></html>`;
const PYTHON = `<!DOCTYPE HTML><html lang="en"><head><title>Directory listing for ${P}</title></head><body><h1>Directory listing for ${P}</h1><hr><ul><li><a href="d.csv">d.csv</a></li></ul><hr></body></html>`;

describe('parseListing', () => {
  const cases: { name: string; html: string; server: string | null; names?: string[] }[] = [
    { name: 'nginx', html: NGINX, server: 'nginx', names: ['sub/', 'Donors 2024.csv'] },
    { name: 'Apache fancy', html: APACHE, server: 'apache', names: ['a.csv'] },
    { name: 'Apache pre', html: APACHE_PRE, server: 'apache', names: ['x.pdf'] },
    { name: 'lighttpd', html: LIGHTTPD, server: 'lighttpd', names: ['b.csv'] },
    { name: 'IIS (absolute hrefs)', html: IIS, server: 'iis', names: ['c.csv'] },
    { name: 'python http.server', html: PYTHON, server: 'python', names: ['d.csv'] },
    {
      name: 'a CMS page with "Index of" in its body only',
      html: '<html><head><title>Files | Site</title></head><body><h1>Index of /files/</h1><a href="e.pdf">e</a></body></html>',
      server: null,
    },
    { name: 'an empty index.html', html: '', server: null },
    {
      name: 'a 404 page',
      html: '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>',
      server: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const l = parseListing(c.html, dir);
      assert.equal(l?.server ?? null, c.server);
      if (c.names)
        assert.deepEqual(
          l!.entries.map((e) => (e.dir ? `${e.name}/` : e.name)),
          c.names,
        );
    });
  }
  it('ignores links outside the directory and sort links', () => {
    const html = NGINX.replace(
      '</pre>',
      '<a href="/other/x.csv">x</a><a href="https://evil.example/y">y</a><a href="?C=M">m</a></pre>',
    );
    assert.deepEqual(
      parseListing(html, dir)!.entries.map((e) => e.name),
      ['sub', 'Donors 2024.csv'],
    );
  });
  it('caps entries but counts them all', () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `<a href="f${i}.csv">f${i}.csv</a>\r\n`).join('');
    const l = parseListing(NGINX.replace('</pre>', `${rows}</pre>`), dir)!;
    assert.equal(l.entries.length, 500);
    assert.equal(l.total, 1202);
  });
});
