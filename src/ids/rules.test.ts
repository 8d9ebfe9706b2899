// The rule files load and validate, and the ReDoS gate: every regular expression of the IDS (the patterns
// in rules/*.yaml, every regex literal in src/ids, and the few built at run time from word lists) is proved
// linear by recheck (automaton/fuzz checker, offline). A vulnerable or unprovable pattern fails the suite.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { check } from 'recheck';
import { loadRules, DEFAULT_RULES_DIR, DETECTORS } from './rules.js';
import { CiviguardError } from '../core/errors.js';
import { LOOKALIKE_RE } from './normalise/fold.js';
import { SENSITIVE_RE } from './detectors/path.js';
import { SCHEMA_RE } from './detectors/sql.js';
import { PREFILTER_WORDS } from './prefilter.js';
import { needsRegex } from './engine.js';
import { TAGS } from './types.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

interface Found {
  where: string;
  source: string;
  flags: string;
}

/** Regex literals, and `new RegExp(…)` calls with the name of the constant they initialise. */
function scan(file: string): { literals: Found[]; dynamic: string[] } {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const literals: Found[] = [];
  const dynamic: string[] = [];
  const rel = relative(SRC, file);
  const visit = (node: ts.Node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const lit = node.getText(sf);
      const slash = lit.lastIndexOf('/');
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      literals.push({ where: `${rel}:${line}`, source: lit.slice(1, slash), flags: lit.slice(slash + 1) });
    }
    if (ts.isNewExpression(node) && node.expression.getText(sf) === 'RegExp') {
      let p: ts.Node | undefined = node.parent;
      while (p && !ts.isVariableDeclaration(p) && !ts.isFunctionDeclaration(p)) p = p.parent;
      const name =
        p && (ts.isVariableDeclaration(p) || ts.isFunctionDeclaration(p)) && p.name
          ? p.name.getText(sf)
          : '?';
      dynamic.push(`${rel}#${name}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { literals, dynamic };
}

/** Regexes built at run time, by where they are built; each is imported and checked itself. */
const rules = loadRules();
const DYNAMIC: Record<string, RegExp[]> = {
  'normalise/fold.ts#LOOKALIKE_RE': [LOOKALIKE_RE],
  'detectors/path.ts#SENSITIVE_RE': [SENSITIVE_RE],
  'detectors/sql.ts#SCHEMA_RE': [SCHEMA_RE],
  'prefilter.ts#PREFILTER_WORDS': [PREFILTER_WORDS],
  'engine.ts#needsRegex': [needsRegex(rules.patterns.string), needsRegex(rules.patterns.html)].filter(
    (r): r is RegExp => r !== null,
  ),
  // rule patterns from YAML: checked below with the rule files
  'rules.ts#validate': [],
};

async function assertLinear(where: string, source: string, flags: string): Promise<void> {
  // Deterministic: the fuzz checker's time-based limits (attack, incubation, seeding, recall) depend on the
  // machine's load and made results vary; step limits (attackLimit, incubationLimit) and a fixed seed do not.
  const d = await check(source, flags, {
    timeout: 120_000,
    randomSeed: 1,
    attackTimeout: null,
    incubationTimeout: null,
    seedingTimeout: null,
    recallTimeout: -1,
  });
  if (d.status === 'vulnerable') {
    assert.fail(
      `${where}: /${source}/${flags} is ${d.complexity.type} (${d.complexity.summary}); attack: ${JSON.stringify(d.attack.pattern)}`,
    );
  }
  if (d.status === 'unknown')
    assert.fail(`${where}: /${source}/${flags} could not be proved linear: ${JSON.stringify(d.error)}`);
}

describe('ids rules: the rule files', () => {
  it('load, with unique ids, known tags, impacts 1–100 and a description each', () => {
    assert.ok(rules.rules.length > 40);
    for (const r of rules.rules) {
      assert.match(r.id, /^[a-z]+\.[a-z0-9-]+$/);
      assert.ok(r.tags.every((t) => (TAGS as readonly string[]).includes(t)));
      assert.ok(r.impact >= 1 && r.impact <= 100);
      assert.ok(r.description.length >= 5);
      assert.ok(r.pattern !== undefined || (r.detector !== undefined && DETECTORS.includes(r.detector)));
    }
  });
  it('cover every tag of the issue', () => {
    const tags = new Set(rules.rules.flatMap((r) => r.tags));
    assert.deepEqual([...tags].sort(), [...TAGS].sort());
  });
  it('ship with the package (the files field includes rules/)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      files: string[];
    };
    assert.ok(pkg.files.includes('rules'));
    assert.ok(DEFAULT_RULES_DIR.endsWith('/rules/'));
  });

  describe('reject mistakes with the file, the rule and the field named', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'civiguard-rules-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const bad: [string, string, RegExp][] = [
      [
        'unknown key',
        "- id: x.y\n  description: hello\n  tags: [xss]\n  impact: 5\n  patern: 'a'\n",
        /unknown key 'patern' \(did you mean 'pattern'\?\)/,
      ],
      [
        'unknown tag',
        "- id: x.y\n  description: hello\n  tags: [sqlx]\n  impact: 5\n  pattern: 'a'\n",
        /unknown tag 'sqlx' \(did you mean 'sqli'\?\)/,
      ],
      [
        'impact out of range',
        "- id: x.y\n  description: hello\n  tags: [xss]\n  impact: 500\n  pattern: 'a'\n",
        /impact must be a whole number from 1 to 100/,
      ],
      [
        'bad regex',
        "- id: x.y\n  description: hello\n  tags: [xss]\n  impact: 5\n  pattern: '(a'\n",
        /pattern does not compile/,
      ],
      [
        'duplicate id',
        "- id: x.y\n  description: hello\n  tags: [xss]\n  impact: 5\n  pattern: 'a'\n- id: x.y\n  description: hello\n  tags: [xss]\n  impact: 5\n  pattern: 'b'\n",
        /duplicate id/,
      ],
      [
        'both kinds',
        "- id: x.y\n  description: hello\n  tags: [xss]\n  impact: 5\n  pattern: 'a'\n  detector: sql\n",
        /exactly one of pattern \/ detector/,
      ],
    ];
    for (const [name, yaml, msg] of bad) {
      it(name, () => {
        for (const f of readdirSync(dir)) rmSync(join(dir, f));
        writeFileSync(join(dir, 'bad.yaml'), yaml);
        assert.throws(
          () => loadRules(dir),
          (e: unknown) =>
            e instanceof CiviguardError &&
            e.code === 'E_IDS' &&
            msg.test(e.message) &&
            e.message.includes('bad.yaml'),
        );
      });
    }
  });
});

describe('ids rules: ReDoS gate (recheck)', { timeout: 600_000 }, () => {
  it('every pattern in rules/*.yaml is linear', async () => {
    for (const r of rules.rules) {
      if (r.pattern) await assertLinear(`${r.file} ${r.id}`, r.pattern.source, r.pattern.flags);
    }
  });
  it('every regex literal in src/ids is linear, and every regex built at run time is known and linear', async () => {
    let count = 0;
    for (const file of sources(SRC)) {
      const { literals, dynamic } = scan(file);
      for (const l of literals) {
        await assertLinear(l.where, l.source, l.flags);
        count++;
      }
      for (const d of dynamic) {
        const built = DYNAMIC[d];
        assert.ok(built, `${d} builds a RegExp at run time: add it to the gate`);
        for (const re of built) {
          await assertLinear(d, re.source, re.flags);
          count++;
        }
      }
    }
    assert.ok(count > 50, `only ${count} regexes found: the scan is broken`);
  });
  it('the gate itself catches a vulnerable pattern', async () => {
    await assert.rejects(assertLinear('test', '^(a+)+$', ''), /exponential/);
    await assert.rejects(assertLinear('test', '<script[^>]*>', ''), /polynomial/);
  });
});
