// Quality gate on the labelled corpora (shared/corpora beside the repository, or $CIVIGUARD_CORPORA): the
// share flagged at the `log` threshold per set, on every benign value and on a deterministic sample of at
// most 3,000 values of each attack set. The bounds are the goals of issue #4 where they are met, and
// otherwise the measured level (minus sampling slack) so that a regression fails; the remaining gaps are
// stated in the benchmark report. A rate is a quality gate, not a speed test: nothing here is timed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CORPORA, corporaAvailable, readCorpus, runCorpus, sample } from './corpora.js';
import { createValueScorer } from './engine.js';

/** Bounds (percent flagged at ≥ 25): attacks at least, benign at most. */
const BOUNDS: Record<string, number> = {
  'attack-httpparams-sqli.json': 99.5, // goal
  'attack-httpparams-xss.json': 98.5, // goal 99.5: 7 of 532 are fragments with nothing executable (see bench report)
  'attack-httpparams-cmdi.json': 93, // goal 97: `id`, `asdf3334`, `'true'`, … cannot be judged alone
  'attack-httpparams-path-traversal.json': 84, // goal 97: `{file}` templates without a payload
  'attack-libinjection-sqli.json': 98.8, // goal 99.5: synthetic fragments (`'+'`, `-1#union`)
  'attack-libinjection-xss.json': 99.5, // goal
  'attack-payloadbox-xss.json': 99.5, // goal
  'attack-patt-cmdi.json': 93, // goal 97: lone separators (`; `, `| `, `\n`) are not attacks by themselves
  'attack-patt-traversal.json': 97, // goal
  'benign-httpparams-norm.json': 0.05, // goal
  'benign-faker-form-values.json': 0.05, // goal
  'benign-commonmark-html.json': 1, // goal (HTML mode)
  'benign-blns-non-injection.json': 0.5, // goal
  'benign-libinjection-false_positives.json': 2, // goal
};

describe('ids corpora: detection rates at the log threshold', { timeout: 600_000 }, () => {
  const score = createValueScorer();
  for (const info of CORPORA) {
    it(`${info.label}: ${info.attack ? '≥' : '≤'} ${BOUNDS[info.file]}%`, (t) => {
      if (!corporaAvailable()) {
        t.skip('corpora not found (set CIVIGUARD_CORPORA)');
        return;
      }
      const all = readCorpus(info.file);
      const values = info.attack ? sample(all, 3000) : all;
      const row = runCorpus(info, values, score, 25);
      const bound = BOUNDS[info.file]!;
      const detail = `${row.rate.toFixed(2)}% of ${row.n}; first wrong: ${row.wrong
        .slice(0, 5)
        .map((v) => JSON.stringify(v).slice(0, 80))
        .join(' | ')}`;
      if (info.attack) assert.ok(row.rate >= bound, detail);
      else assert.ok(row.rate <= bound, detail);
    });
  }
});
