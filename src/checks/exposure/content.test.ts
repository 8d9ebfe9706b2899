import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  archive,
  civicrmLog,
  gitConfig,
  gitHead,
  hgRequires,
  htaccess,
  idsConfig,
  installerOffer,
  phpinfo,
  phpSource,
  sqlDump,
  svnFile,
  vimSwap,
} from './content.js';

const B = (s: string | Buffer) => Buffer.from(s);
const HTML = B(
  '<!DOCTYPE html><html><head><title>x</title></head><body>CREATE TABLE ref: refs/heads/x [core]</body></html>',
);

describe('content classifiers', () => {
  const cases: {
    name: string;
    fn: (b: Buffer) => string | null;
    yes: (string | Buffer)[];
    no: (string | Buffer)[];
  }[] = [
    {
      name: 'phpSource',
      fn: phpSource,
      yes: ['<?php\n$databases = [];', '\uFEFF<?php define("CIVICRM_DSN", "")', '  <?php'],
      no: ['', '<html><?php', 'text <?php later', '&lt;?php', HTML],
    },
    { name: 'vimSwap', fn: vimSwap, yes: ['b0VIM 8.2\0\0'], no: ['<?php', ''] },
    {
      name: 'sqlDump',
      fn: sqlDump,
      yes: [
        '-- MySQL dump 10.13',
        '-- MariaDB dump 10.19',
        '/*!40101 SET NAMES utf8 */;',
        '-- hand made\n\nINSERT INTO t VALUES (1);',
        '-- phpMyAdmin SQL Dump',
        'SET SQL_MODE = "NO_AUTO_VALUE_ON_ZERO";',
      ],
      no: ['hello\nCREATE TABLE x', HTML, '', '{"a":1}'],
    },
    {
      name: 'archive',
      fn: archive,
      yes: [
        gzipSync('x'),
        B('PK\x03\x04'),
        B('BZh91AY'),
        Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
        Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
      ],
      no: [HTML, '', 'PK', 'plain text'],
    },
    {
      name: 'gitHead',
      fn: gitHead,
      yes: ['ref: refs/heads/main\n', `${'a'.repeat(40)}\n`],
      no: [HTML, 'ref: something', `${'a'.repeat(39)}`],
    },
    {
      name: 'gitConfig',
      fn: gitConfig,
      yes: ['[core]\n\trepositoryformatversion = 0\n'],
      no: [HTML, '[core]\n', '[General]'],
    },
    {
      name: 'svnFile',
      fn: svnFile,
      yes: ['12\n', '10\n\ndir\n42\n', B('SQLite format 3\0xxxx'), '<?xml version="1.0"?><wc-entries'],
      no: [HTML, '123\n', 'hello'],
    },
    {
      name: 'hgRequires',
      fn: hgRequires,
      yes: ['revlogv1\nstore\nfncache\n'],
      no: [HTML, '', 'store\nhello world\n'],
    },
    {
      name: 'phpinfo',
      fn: phpinfo,
      yes: [
        '<title>PHP 8.2.7 - phpinfo()</title>',
        '<h1>PHP Version 7.4.3</h1>... PHP License ...',
        '<title>phpinfo()</title>',
      ],
      no: [HTML, 'PHP Version 8 is great'],
    },
    {
      name: 'installerOffer',
      fn: installerOffer,
      yes: [
        '<title>CiviCRM Installer</title>',
        '<html>WordPress <form id="setup" action="install.php?step=2">',
        '<title>Choose language | Drupal</title>',
      ],
      no: [
        '<h1>Already Installed</h1> WordPress install.php?step=2',
        '<title>Drupal already installed</title>',
        HTML,
      ],
    },
    {
      name: 'htaccess',
      fn: htaccess,
      yes: [
        '<Files "*">\n  Order allow,deny\n  Deny from all\n</Files>\n',
        '<IfModule authz_core_module>\n Require all denied\n</IfModule>',
        'Options -Indexes\n',
      ],
      no: [HTML, 'hello'],
    },
    {
      name: 'idsConfig',
      fn: idsConfig,
      yes: ['; <?php die(); ?>\n[General]\n  filter_type = xml\n'],
      no: [HTML, '[General]\nname=x'],
    },
    {
      name: 'civicrmLog',
      fn: civicrmLog,
      yes: ['Dec 01 10:00:00  [info] hi', 'Jan  1 09:00:00 [debug] x'.replace('  1', ' 1')],
      no: [HTML, 'hello'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      for (const y of c.yes)
        assert.ok(c.fn(B(y)), `${c.name} should accept ${JSON.stringify(y.toString().slice(0, 40))}`);
      for (const n of c.no)
        assert.equal(
          c.fn(B(n)),
          null,
          `${c.name} should reject ${JSON.stringify(n.toString().slice(0, 40))}`,
        );
    });
  }
});
