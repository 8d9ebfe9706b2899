import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge } from '../../test-support/facts.js';
import type { ProtocolId, ProtocolSupport } from '../../probes/tls/protocols.js';
import protocols from './protocols.js';
import { protocolFacts } from './test-support/fact-builders.js';

function verdicts(
  offered: ProtocolId[],
  overrides: Partial<Record<ProtocolId, ProtocolSupport>> = {},
): string {
  return judge(protocols, { tls: protocolFacts(offered, overrides) })
    .filter((r) => r.status !== 'pass')
    .map((r) => `${r.id!.split('.').pop()}:${r.status}:${r.severity}`)
    .join(' ');
}

describe('tls.protocols', () => {
  const cases: {
    name: string;
    offered: ProtocolId[];
    overrides?: Partial<Record<ProtocolId, ProtocolSupport>>;
    expect: string;
  }[] = [
    { name: 'TLS 1.2 + 1.3 only', offered: ['tls1_2', 'tls1_3'], expect: '' },
    { name: 'TLS 1.3 only', offered: ['tls1_3'], expect: '' },
    { name: 'no TLS 1.3', offered: ['tls1_2'], expect: 'tls1_3:fail:notice' },
    {
      name: 'TLS 1.0 only',
      offered: ['tls1_0'],
      expect: 'tls1_0:fail:warning tls1_2:fail:error tls1_3:fail:notice',
    },
    {
      name: 'everything old too',
      offered: ['sslv3', 'tls1_0', 'tls1_1', 'tls1_2', 'tls1_3'],
      expect: 'sslv3:fail:warning tls1_0:fail:warning tls1_1:fail:warning',
    },
    { name: 'SSLv2', offered: ['sslv2', 'tls1_2', 'tls1_3'], expect: 'sslv2:fail:error' },
    {
      name: 'an untestable protocol is a skip of its own',
      offered: ['tls1_2', 'tls1_3'],
      overrides: { sslv2: { state: 'untestable', detail: 'cannot offer' } },
      expect: 'sslv2:skip:error',
    },
    {
      name: 'a timeout is an error, not a pass',
      offered: ['tls1_2', 'tls1_3'],
      overrides: { tls1_0: { state: 'inconclusive', detail: 'timeout' } },
      expect: 'tls1_0:error:warning',
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(verdicts(c.offered, c.overrides), c.expect));
  }
  it('reports one result per protocol', () => {
    const ids = judge(protocols, { tls: protocolFacts(['tls1_2']) }).map((r) => r.id);
    assert.deepEqual(ids, [
      'tls.protocols.sslv2',
      'tls.protocols.sslv3',
      'tls.protocols.tls1_0',
      'tls.protocols.tls1_1',
      'tls.protocols.tls1_2',
      'tls.protocols.tls1_3',
    ]);
  });
});
