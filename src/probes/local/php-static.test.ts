import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PhpArray, Unknown, lookup, readPhpFile } from './php-static.js';

const dir = mkdtempSync(join(tmpdir(), 'civiguard-php-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function read(src: string, opts: Parameters<typeof readPhpFile>[1] = {}) {
  const f = join(dir, `f${++n}.php`);
  writeFileSync(f, src);
  return { ...readPhpFile(f, opts), file: f };
}
const c = (r: ReturnType<typeof read>, name: string) => r.constants.get(name);

describe('static PHP reader (parse only, never evaluate)', () => {
  const cases: {
    name: string;
    src: string;
    constant: string;
    expect: unknown;
    opts?: Parameters<typeof readPhpFile>[1];
  }[] = [
    { name: 'plain define', src: "<?php define('A', 'x');", constant: 'A', expect: 'x' },
    {
      name: 'concatenation and numbers',
      src: "<?php define('A', 'a' . 1 . '-' . (2 + 3));",
      constant: 'A',
      expect: 'a1-5',
    },
    {
      name: 'first define wins',
      src: "<?php define('A', 'one'); define('A', 'two');",
      constant: 'A',
      expect: 'one',
    },
    {
      name: '!defined guard',
      src: "<?php define('A', 'pre'); if (!defined('A')) { define('A', 'tpl'); }",
      constant: 'A',
      expect: 'pre',
    },
    {
      name: 'ternary on known values',
      src: "<?php define('_K', '%%credKeys%%'); define('K', _K === '%%' . 'credKeys' . '%%' ? '' : _K);",
      constant: 'K',
      expect: '',
    },
    {
      name: 'elseif chain',
      src: "<?php $x = 2; if ($x === 1) define('A', 'one'); elseif ($x === 2) define('A', 'two'); else define('A', 'other');",
      constant: 'A',
      expect: 'two',
    },
    {
      name: 'double-quoted interpolation',
      src: '<?php $base = "/srv"; define(\'A\', "$base/files/{$base}");',
      constant: 'A',
      expect: '/srv/files//srv',
    },
    {
      name: 'heredoc',
      src: "<?php $h = 'x';\ndefine('A', <<<EOT\npre-$h\nEOT\n);",
      constant: 'A',
      expect: 'pre-x',
    },
    {
      name: 'constant referencing constant',
      src: "<?php define('R', '/var/www'); define('A', R . '/sites');",
      constant: 'A',
      expect: '/var/www/sites',
    },
    {
      name: 'DIRECTORY_SEPARATOR and rtrim',
      src: "<?php define('A', rtrim('/x///', '/') . DIRECTORY_SEPARATOR . 'y');",
      constant: 'A',
      expect: '/x/y',
    },
    {
      name: 'sprintf',
      src: "<?php define('A', sprintf('mysql://%s:%s@%s/%s', 'u', 'p', 'h', 'd'));",
      constant: 'A',
      expect: 'mysql://u:p@h/d',
    },
    {
      name: '?? with an unset variable',
      src: "<?php define('A', $nope ?? 'fallback');",
      constant: 'A',
      expect: 'fallback',
    },
    {
      name: 'return stops reading',
      src: "<?php define('A', 1); return; define('B', 2);",
      constant: 'B',
      expect: undefined,
    },
    {
      name: '$_SERVER host from the audited URL',
      src: "<?php define('A', 'config-' . strtolower($_SERVER['HTTP_HOST']));",
      constant: 'A',
      expect: 'config-site.test',
      opts: { httpHost: 'site.test' },
    },
  ];
  for (const t of cases) {
    it(t.name, () => assert.deepEqual(c(read(t.src, t.opts), t.constant), t.expect));
  }

  it('__DIR__, dirname(__FILE__, 2)', () => {
    const r = read("<?php define('A', __DIR__ . '/x'); define('B', dirname(__FILE__, 2));");
    assert.equal(c(r, 'A'), `${dir}/x`);
    assert.equal(c(r, 'B'), join(dir, '..'));
  });

  it('getenv(), function calls and $_ENV: Unknown with the reason', () => {
    const r = read(
      "<?php define('A', getenv('DSN')); define('B', my_func()); define('C', $_ENV['X'] . '/y');",
    );
    for (const [k, rx] of [
      ['A', /getenv\('DSN'\)/],
      ['B', /my_func\(\)/],
      ['C', /\$_ENV\[X\]/],
    ] as const) {
      const v = c(r, k);
      assert.ok(v instanceof Unknown, k);
      assert.match(v.reason, rx);
    }
  });

  it('an unknown condition: values both branches agree on stay known, the others become Unknown', () => {
    const r = read(
      "<?php if (getenv('X')) { define('A', 'same'); define('B', 'one'); } else { define('A', 'same'); define('B', 'two'); }",
    );
    assert.equal(c(r, 'A'), 'same');
    assert.ok(c(r, 'B') instanceof Unknown);
    assert.match((c(r, 'B') as Unknown).reason, /depends on getenv\('X'\)/);
  });

  it('a branch that exits leaves the other one', () => {
    const r = read(
      "<?php if (file_exists('/nonexistent/x.php')) { define('A', 'yes'); } else { exit(1); } define('B', 'after');",
    );
    assert.equal(c(r, 'B'), undefined, 'known condition: the else branch exits');
    const r2 = read("<?php if (getenv('Q')) { exit(1); } define('B', 'after');");
    assert.equal(c(r2, 'B'), 'after');
  });

  it('nested arrays: $civicrm_setting and $civicrm_paths', () => {
    const r = read(
      "<?php global $civicrm_setting; $civicrm_setting['domain']['uploadDir'] = '/u'; $civicrm_paths['civicrm.files']['url'] = 'https://x/f'; $a = ['k' => [1, 2]];",
    );
    assert.equal(lookup(r.variables, 'civicrm_setting', 'domain', 'uploadDir'), '/u');
    assert.equal(lookup(r.variables, 'civicrm_paths', 'civicrm.files', 'url'), 'https://x/f');
    const a = r.variables.get('a');
    assert.ok(a instanceof PhpArray);
    assert.ok(a.get('k') instanceof PhpArray);
  });

  it('includes: absolute and __DIR__ paths are followed, relative and unknown ones noted, loops stopped', () => {
    writeFileSync(join(dir, 'inc.php'), "<?php define('INC', 'included'); include __DIR__ . '/loop.php';");
    writeFileSync(join(dir, 'loop.php'), "<?php include __DIR__ . '/inc.php';");
    const r = read(
      "<?php include __DIR__ . '/inc.php'; require_once 'CRM/Core/ClassLoader.php'; include getenv('F');",
    );
    assert.equal(c(r, 'INC'), 'included');
    assert.ok(r.notes.some((x) => /relative, via include_path/.test(x)));
    assert.ok(r.notes.some((x) => /unknown path/.test(x)));
    assert.ok(
      r.notes.some((x) => /include loop|more than/.test(x)),
      r.notes.join('\n'),
    );
  });

  it('syntax errors and unreadable files are CiviguardErrors with the reason', () => {
    assert.throws(() => read("<?php define('A' 'b');"), /PHP syntax error on line 1/);
    assert.throws(() => readPhpFile(join(dir, 'missing.php')), /cannot read .*missing\.php/);
    assert.throws(() => read('<?php ' + "$x = 'a';".repeat(10), { maxBytes: 20 }), /limit 20/);
  });

  it('nothing is ever executed: code with side effects is only parsed', () => {
    const marker = join(dir, 'pwned');
    read(
      `<?php file_put_contents('${marker}', 'x'); system('touch ${marker}'); define('A', \`touch ${marker}\`);`,
    );
    assert.throws(() => readPhpFile(marker), /cannot read/);
  });
});
