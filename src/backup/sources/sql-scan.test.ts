import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqlScanner } from './sql-scan.js';

function scan(sql: string, block = 5) {
  const s = new SqlScanner();
  const b = Buffer.from(sql);
  for (let i = 0; i < b.length; i += block) s.push(b.subarray(i, i + block));
  return s.result();
}

const END = '\n-- Dump completed on 2024-01-01 10:00:00\n';

describe('mariadb-dump stream scanner', () => {
  const cases: {
    name: string;
    sql: string;
    rows?: Record<string, number>;
    end?: boolean;
    forbidden?: number;
    triggers?: number;
    routines?: number;
  }[] = [
    {
      name: 'extended insert tuples',
      sql: "CREATE TABLE `t` (a int);\nINSERT INTO `t` VALUES (1,'a'),(2,'b'),(3,'c');" + END,
      rows: { t: 3 },
      end: true,
    },
    {
      name: 'quotes, escapes, parens and semicolons in strings',
      sql:
        "CREATE TABLE `t` (a text);\nINSERT INTO `t` VALUES ('x\\'),(y);'),('\\\\'),(''''),('a(b)c;');" + END,
      rows: { t: 4 },
      end: true,
    },
    {
      name: 'two statements for one table add up',
      sql: 'INSERT INTO `t` VALUES (1),(2);\nINSERT INTO `t` VALUES (3);' + END,
      rows: { t: 3 },
    },
    {
      name: 'table with no rows is listed with 0',
      sql: 'CREATE TABLE `empty` (a int);' + END,
      rows: { empty: 0 },
    },
    {
      name: 'backticks inside a table name',
      sql: 'INSERT INTO `we``ird` VALUES (1);' + END,
      rows: { 'we`ird': 1 },
    },
    {
      name: 'comments do not count',
      sql:
        '-- INSERT INTO `t` VALUES (9);\n/* INSERT INTO `t` VALUES (9); */\n/**/INSERT INTO `t` VALUES (1);' +
        END,
      rows: { t: 1 },
    },
    { name: 'missing end marker (truncated dump)', sql: 'INSERT INTO `t` VALUES (1),(2', end: false },
    {
      name: 'end marker without a date (--skip-dump-date)',
      sql: 'SELECT 1;\n-- Dump completed\n',
      end: true,
    },
    {
      name: 'CREATE DATABASE is flagged',
      sql: '/*!40000 CREATE DATABASE /*!32312 IF NOT EXISTS*/ `civicrm` */;\nUSE `civicrm`;' + END,
      forbidden: 2,
    },
    {
      name: 'triggers and routines under DELIMITER ;;',
      sql:
        'DELIMITER ;;\n/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t1 AFTER INSERT ON c FOR EACH ROW INSERT INTO l VALUES (NEW.id); */;;\nDELIMITER ;\n' +
        'DELIMITER ;;\nCREATE DEFINER=`root`@`localhost` FUNCTION `f`(x INT) RETURNS int\nBEGIN\n  DECLARE y INT; SET y = x; RETURN y;\nEND ;;\nDELIMITER ;\nINSERT INTO `c` VALUES (1);' +
        END,
      triggers: 1,
      routines: 1,
      rows: { c: 1 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      for (const block of [1, 7, 1 << 20]) {
        const r = scan(c.sql, block);
        if (c.rows) assert.deepEqual(r.rows, c.rows, `block ${block}`);
        if (c.end !== undefined) assert.equal(r.endMarker, c.end);
        if (c.forbidden !== undefined) assert.equal(r.forbidden.length, c.forbidden);
        if (c.triggers !== undefined) assert.equal(r.triggers, c.triggers);
        if (c.routines !== undefined) assert.equal(r.routines, c.routines);
      }
    });
  }
});
