import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge } from '../../test-support/facts.js';
import type { CategoryFacts, CipherCategory, ModernClientFacts } from '../../probes/tls/ciphers.js';
import ciphers from './ciphers.js';
import { cipherFacts } from './test-support/fact-builders.js';

const GOOD: ModernClientFacts = {
  protocol: 'TLSv1.2',
  suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  forwardSecrecy: true,
  aead: true,
  ephemeral: null,
};

function verdicts(
  states: Partial<Record<CipherCategory, CategoryFacts['state']>>,
  modern: ModernClientFacts | null = GOOD,
  testedAt?: string[],
): string {
  return judge(ciphers, { tls: cipherFacts(states, modern, testedAt) })
    .filter((r) => r.status !== 'pass')
    .map((r) => `${r.id!.split('.').pop()}:${r.status}:${r.severity}`)
    .join(' ');
}

describe('tls.ciphers', () => {
  const cases: {
    name: string;
    states: Partial<Record<CipherCategory, CategoryFacts['state']>>;
    modern?: ModernClientFacts | null;
    testedAt?: string[];
    expect: string;
  }[] = [
    { name: 'all good', states: {}, expect: '' },
    { name: 'TLS 1.3 only', states: {}, testedAt: [], expect: '' },
    { name: 'RC4 accepted', states: { rc4: 'accepted' }, expect: 'rc4:fail:error' },
    {
      name: 'NULL, anon, EXPORT, 3DES, DES accepted',
      states: { null: 'accepted', anon: 'accepted', export: 'accepted', '3des': 'accepted', des: 'accepted' },
      expect: 'null:fail:error anon:fail:error export:fail:error 3des:fail:error des:fail:error',
    },
    {
      name: 'CBC and static RSA merely accepted: notices',
      states: { cbc: 'accepted', 'rsa-kx': 'accepted' },
      expect: 'rsa-kx:fail:notice cbc:fail:notice',
    },
    {
      name: 'modern client gets static RSA CBC',
      states: { cbc: 'accepted', 'rsa-kx': 'accepted' },
      modern: { ...GOOD, suite: 'TLS_RSA_WITH_AES_128_CBC_SHA', forwardSecrecy: false, aead: false },
      expect: 'modern-no-fs:fail:warning modern-no-aead:fail:warning rsa-kx:fail:notice cbc:fail:notice',
    },
    {
      name: 'no modern client: skipped, not passed',
      states: {},
      modern: null,
      expect: 'modern-no-fs:skip:warning modern-no-aead:skip:warning',
    },
    { name: 'untestable category', states: { export: 'untestable' }, expect: 'export:skip:error' },
    { name: 'inconclusive category', states: { '3des': 'inconclusive' }, expect: '3des:error:error' },
  ];
  for (const c of cases) {
    it(c.name, () =>
      assert.equal(verdicts(c.states, c.modern === undefined ? GOOD : c.modern, c.testedAt), c.expect),
    );
  }
  it('names the accepted suite and protocol', () => {
    const r = judge(ciphers, { tls: cipherFacts({ rc4: 'accepted' }, GOOD, ['TLSv1.2', 'TLSv1']) }).find(
      (x) => x.id === 'tls.ciphers.rc4',
    );
    assert.match(r!.message, /SUITE_rc4 at TLSv1\.2, SUITE_rc4 at TLSv1/);
  });
});
