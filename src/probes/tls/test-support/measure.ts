/**
 * Measures how long the tls.* facts take for one host, in process (no CLI start-up): against a Node
 * TLS server that offers everything (TLS 1.0–1.3, all suites) and against the Debian nginx test sites.
 * Run: node --import tsx src/probes/tls/test-support/measure.ts [runs]
 */
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTarget } from '../../../audit/build-target.js';
import { tlsChecks } from '../../../checks/tls/index.js';
import type { TargetInput } from '../../../core/target.js';
import { runChecks } from '../../../core/runner.js';
import { createCa, issueCert } from '../../../pki/index.js';
import { startNginxSites } from '../../../test-support/nginx-sites.js';

const runs = Number(process.argv[2] ?? 7);

async function measure(name: string, input: TargetInput): Promise<void> {
  const times: number[] = [];
  let breakdown = '';
  let results = 0;
  for (let i = 0; i < runs; i++) {
    const probes: string[] = [];
    const t0 = performance.now();
    const out = await runChecks(buildTarget(input), tlsChecks, {
      onProgress: (e) => {
        if (e.type === 'probe-end') probes.push(`${e.probe} ${e.durationMs.toFixed(0)}`);
      },
    });
    times.push(performance.now() - t0);
    results = out.results.length;
    breakdown = probes.join(', ');
  }
  const rest = times.slice(1).sort((a, b) => a - b);
  const median = rest[Math.floor(rest.length / 2)] ?? times[0]!;
  console.log(
    `${name.padEnd(22)} first ${times[0]!.toFixed(0).padStart(5)} ms  median ${median.toFixed(0).padStart(4)} ms  (${results} results; last run: ${breakdown})`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'civiguard-tls-measure-'));
const ca = await createCa('measure root');
const leaf = await issueCert(ca, { dnsNames: ['site.test'], key: { type: 'rsa', bits: 2048 } });
writeFileSync(join(dir, 'ca.pem'), ca.certPem);
const server = tls.createServer(
  {
    key: leaf.keyPem,
    cert: leaf.certPem,
    minVersion: 'TLSv1',
    ciphers: 'ALL:COMPLEMENTOFALL@SECLEVEL=0',
    dhparam: 'auto',
  },
  (s) => s.end(),
);
server.on('tlsClientError', () => undefined);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
console.log(`tls.* facts, ${runs} runs each (first run includes loading the CA store)`);
await measure('node, everything on', {
  url: `https://site.test:${port}/`,
  resolve: [`site.test:${port}:127.0.0.1`],
  ca: [join(dir, 'ca.pem')],
});
server.close();
try {
  const sites = await startNginxSites();
  try {
    for (const host of ['bad.test', 'good.test', 'expired.test', 'mismatch.test'] as const)
      await measure(`nginx ${host}`, sites.inputs(host));
  } finally {
    await sites.stop();
  }
} catch (e) {
  console.log(`nginx sites not measured: ${(e as Error).message}`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(0);
