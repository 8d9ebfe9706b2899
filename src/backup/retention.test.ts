import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRetention, bucket, parsePolicy } from './retention.js';

const snap = (time: string) => ({ id: time, time });

describe('retention policy (forget)', () => {
  // one snapshot a day at 03:00 for 60 days, plus two extra on the last day
  const snaps = Array.from({ length: 60 }, (_, i) =>
    snap(new Date(Date.UTC(2024, 0, 1 + i, 3)).toISOString()),
  );
  snaps.push(snap('2024-02-29T12:00:00.000Z'), snap('2024-02-29T18:00:00.000Z'));
  const cases: { name: string; policy: Record<string, number>; keep: number }[] = [
    { name: 'keep-last 5', policy: { last: 5 }, keep: 5 },
    { name: 'keep-daily 7 (one per day, newest of the day)', policy: { daily: 7 }, keep: 7 },
    { name: 'keep-weekly 4', policy: { weekly: 4 }, keep: 4 },
    { name: 'keep-monthly 12 (only two months exist)', policy: { monthly: 12 }, keep: 2 },
    {
      name: 'daily 7 + weekly 4 overlap (two weeks are already covered by the days)',
      policy: { daily: 7, weekly: 4 },
      keep: 9,
    },
    { name: 'keep-hourly 3', policy: { hourly: 3 }, keep: 3 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = applyRetention(snaps, c.policy);
      assert.equal(d.keep.length, c.keep);
      assert.equal(d.keep.length + d.remove.length, snaps.length);
      assert.equal(d.keep[0]!.time, '2024-02-29T18:00:00.000Z', 'the newest is always kept');
    });
  }
  it('keeps the newest of a day, not the oldest', () => {
    const d = applyRetention(snaps, { daily: 1 });
    assert.deepEqual(
      d.keep.map((k) => k.time),
      ['2024-02-29T18:00:00.000Z'],
    );
  });
  it('refuses an empty policy (it would forget everything)', () => {
    assert.throws(() => applyRetention(snaps, {}), /at least one/);
  });
  it('ISO weeks cross year boundaries correctly', () => {
    assert.equal(bucket('weekly', '2021-01-03T10:00:00Z'), '2020-W53');
    assert.equal(bucket('weekly', '2024-12-30T10:00:00Z'), '2025-W01');
  });
  it('parses flags and rejects bad numbers', () => {
    assert.deepEqual(parsePolicy({ keepDaily: '7', keepLast: '2' }), { daily: 7, last: 2 });
    assert.throws(() => parsePolicy({ keepDaily: 'x' }), /whole number/);
  });
});
