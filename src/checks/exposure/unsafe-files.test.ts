import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { ProbedItem } from '../../probes/exposure/types.js';
import { DRUPAL_404, facts, item } from './test-support/facts.js';
import unsafeFiles from './unsafe-files.js';

const PKG = 'sites/all/modules/civicrm/packages/';
const u = (
  path: string,
  tag: string,
  status: number,
  body = '',
  baseline: [number, string] | null = [404, DRUPAL_404],
) => item(path, 'unsafe', { tag, status, body, baseline });
const PHPINFO =
  '<!DOCTYPE html><html><head><style>body{}</style><title>PHP 8.2.7 - phpinfo()</title></head><body><h1 class="p">PHP Version 8.2.7</h1></body></html>';

describe('exposure.unsafe-files', () => {
  const cases: { name: string; items: ProbedItem[]; expect: string[] }[] = [
    {
      name: 'phpinfo page',
      items: [u('phpinfo.php', 'phpinfo', 200, PHPINFO)],
      expect: ['exposure.unsafe-files.phpinfo:fail'],
    },
    {
      name: 'dompdf.php runs (500 where random .php gets 404)',
      items: [u(`${PKG}dompdf/dompdf.php`, 'dompdf', 500, '')],
      expect: ['exposure.unsafe-files.dompdf:fail'],
    },
    {
      name: 'dompdf.php prints its exception',
      items: [
        u(
          `${PKG}dompdf/dompdf.php`,
          'dompdf',
          200,
          "Uncaught exception 'DOMPDF_Exception' with message 'An input file is required (i.e. input_file _GET variable).'",
          [200, DRUPAL_404],
        ),
      ],
      expect: ['exposure.unsafe-files.dompdf:fail'],
    },
    {
      name: 'ofc_upload_image.php runs',
      items: [
        u(
          `${PKG}OpenFlashChart/php-ofc-library/ofc_upload_image.php`,
          'ofc-upload',
          200,
          'Saving your image to: ../tmp-upload-images/x.jpg',
        ),
      ],
      expect: ['exposure.unsafe-files.ofc-upload:fail'],
    },
    {
      name: 'CiviCRM installer offers to install',
      items: [
        u(
          `sites/all/modules/civicrm/install/index.php`,
          'installer',
          200,
          '<html><head><title>CiviCRM Installer</title></head><body><form>...</form></body></html>',
        ),
      ],
      expect: ['exposure.unsafe-files.installer:fail'],
    },
    {
      name: 'WordPress installer says already installed',
      items: [
        u(
          'wp-admin/install.php',
          'installer',
          200,
          '<html><body><h1>Already Installed</h1><p>You appear to have already installed WordPress.</p></body></html>',
        ),
      ],
      expect: ['exposure.unsafe-files:pass'],
    },
    {
      name: 'Drupal install.php on an installed site',
      items: [
        u(
          'install.php',
          'installer',
          200,
          '<html><head><title>Drupal already installed | Drupal</title></head><body>Choose language</body></html>',
        ),
      ],
      expect: ['exposure.unsafe-files:pass'],
    },
    {
      name: 'dompdf.php denied (403 where random .php gets 404): not reachable',
      items: [u(`${PKG}dompdf/dompdf.php`, 'dompdf', 403, 'Forbidden')],
      expect: ['exposure.unsafe-files:pass'],
    },
    {
      name: 'catch-all 200: no false fail',
      items: [
        u('phpinfo.php', 'phpinfo', 200, DRUPAL_404, [200, DRUPAL_404]),
        u(`${PKG}dompdf/dompdf.php`, 'dompdf', 200, DRUPAL_404, [200, DRUPAL_404]),
        u(`${PKG}OpenFlashChart/php-ofc-library/ofc_upload_image.php`, 'ofc-upload', 200, DRUPAL_404, [
          200,
          DRUPAL_404,
        ]),
      ],
      expect: ['exposure.unsafe-files:pass'],
    },
    {
      name: 'every .php answers 500 (broken PHP): not taken for a leftover',
      items: [u(`${PKG}dompdf/dompdf.php`, 'dompdf', 500, '', [500, ''])],
      expect: ['exposure.unsafe-files:pass'],
    },
    {
      name: 'no answer',
      items: [
        u('phpinfo.php', 'phpinfo', 404, DRUPAL_404, null),
        item('info.php', 'unsafe', { tag: 'phpinfo', error: 'timeout' }),
      ],
      expect: ['exposure.unsafe-files:error'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(statuses(judge(unsafeFiles, { exposure: facts(c.items) })), c.expect);
    });
  }
});
