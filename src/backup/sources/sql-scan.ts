/**
 * Streaming scan of a mariadb-dump stream, byte by byte, as it is backed up: rows per table (tuples of
 * extended INSERTs), triggers and routines created, the end marker, and statements a per-database dump
 * must not carry (`CREATE DATABASE`, `USE`). Understands quotes with backslash escapes, `--`/`#`/block
 * comments, executable comments (`/*!…*​/`, `/*M!…*​/`) and `DELIMITER ;;`.
 */

const enum S {
  Normal,
  Single,
  Double,
  Back,
  LineComment,
  BlockComment,
  /** Just saw "/*": an executable comment ("/*!", "/*M!") is SQL, anything else a comment. */
  SlashStar,
}

const HEAD_MAX = 400;
const TAIL_MAX = 256;

export interface DumpScan {
  rows: Record<string, number>;
  triggers: number;
  routines: number;
  events: number;
  views: number;
  endMarker: boolean;
  forbidden: string[];
  bytes: number;
}

export class SqlScanner {
  private state: S = S.Normal;
  private escape = false;
  private depth = 0;
  private head = '';
  private headDone = false;
  private insertTable: string | null = null;
  private valuesSeen = false;
  private lineStart = true;
  private prev = 0;
  private delimiter = ';';
  private tail = '';
  private readonly rows = new Map<string, number>();
  private triggers = 0;
  private routines = 0;
  private events = 0;
  private views = 0;
  private readonly forbidden: string[] = [];
  private bytes = 0;

  push(buf: Uint8Array): void {
    this.bytes += buf.length;
    const n = buf.length;
    let state = this.state;
    for (let i = 0; i < n; i++) {
      const c = buf[i]!;
      switch (state) {
        case S.Single:
        case S.Double:
        case S.Back:
          if (this.escape) this.escape = false;
          else if (c === 0x5c && state !== S.Back) this.escape = true;
          else if (
            (state === S.Single && c === 0x27) ||
            (state === S.Double && c === 0x22) ||
            (state === S.Back && c === 0x60)
          ) {
            state = S.Normal;
            if (!this.headDone) this.addHead(c);
          } else if (!this.headDone && state === S.Back) this.addHead(c);
          break;
        case S.LineComment:
          if (c === 0x0a) {
            state = S.Normal;
            this.lineStart = true;
          }
          break;
        case S.BlockComment:
          if (c === 0x2f && this.prev === 0x2a) state = S.Normal;
          break;
        case S.SlashStar:
          if (c === 0x21 || c === 0x4d) {
            state = S.Normal;
            if (!this.headDone) {
              this.addHead(0x2f);
              this.addHead(0x2a);
              this.addHead(c);
            }
          } else state = S.BlockComment;
          break;
        case S.Normal: {
          if (this.lineStart && (c === 0x2d || c === 0x23) && this.depth === 0) {
            // "-- " or "#" at the start of a line: a comment (checked with the next byte for "--")
            if (c === 0x23) {
              state = S.LineComment;
              break;
            }
          }
          if (c === 0x2d && this.prev === 0x2d && this.dashAtLineStart) {
            state = S.LineComment;
            this.dropHeadDash();
            break;
          }
          this.dashAtLineStart = this.lineStart && c === 0x2d;
          if (c === 0x0a) {
            if (this.head.startsWith('DELIMITER ')) this.setDelimiter();
            this.lineStart = true;
          } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) this.lineStart = false;
          if (c === 0x27) state = S.Single;
          else if (c === 0x22) state = S.Double;
          else if (c === 0x60) state = S.Back;
          else if (c === 0x2a && this.prev === 0x2f) {
            // "/*": decided on the next byte (it may be in the next block)
            state = S.SlashStar;
            this.dropHeadSlash();
            break;
          } else if (c === 0x28) {
            if (this.depth === 0 && this.insertTable !== null && this.valuesSeen) {
              this.rows.set(this.insertTable, (this.rows.get(this.insertTable) ?? 0) + 1);
            }
            this.depth++;
          } else if (c === 0x29) {
            if (this.depth > 0) this.depth--;
          } else if (c === 0x3b && (this.delimiter === ';' || this.prev === 0x3b)) {
            this.endStatement();
            this.prev = c;
            continue;
          }
          if (!this.headDone) this.addHead(c);
          break;
        }
      }
      this.prev = c;
    }
    this.state = state;
    const t = Buffer.from(buf.subarray(Math.max(0, n - TAIL_MAX))).toString('latin1');
    this.tail = (this.tail + t).slice(-TAIL_MAX);
  }

  private dashAtLineStart = false;

  private addHead(c: number): void {
    if (this.head.length === 0 && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3b))
      return;
    this.head += String.fromCharCode(c);
    if (
      !this.valuesSeen &&
      this.insertTable === null &&
      this.head.length >= 12 &&
      this.head.startsWith('INSERT INTO ')
    ) {
      const m = /^INSERT INTO `((?:[^`]|``)+)`[^`]/.exec(this.head);
      if (m) this.insertTable = m[1]!.replace(/``/g, '`');
    }
    if (this.insertTable !== null && !this.valuesSeen && /\sVALUES\s*$/.test(this.head))
      this.valuesSeen = true;
    if (this.head.length >= HEAD_MAX || (this.valuesSeen && this.depth > 0)) this.headDone = true;
  }

  private dropHeadDash(): void {
    if (this.head.endsWith('-')) this.head = this.head.slice(0, -1);
  }

  private dropHeadSlash(): void {
    if (this.head.endsWith('/')) this.head = this.head.slice(0, -1);
  }

  private setDelimiter(): void {
    const d = this.head.slice('DELIMITER '.length).trim();
    this.delimiter = d === ';;' ? ';;' : ';';
    this.resetStatement();
  }

  private endStatement(): void {
    const h = this.head
      .replace(/\/\*M?!\d*\s*|\*\//g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (/^CREATE (?:DATABASE|SCHEMA)\b/i.test(h)) this.forbidden.push(h.slice(0, 80));
    else if (/^USE\s/i.test(h)) this.forbidden.push(h.slice(0, 80));
    else if (/^CREATE\b/i.test(h)) {
      const table = /^CREATE TABLE (?:IF NOT EXISTS )?`((?:[^`]|``)+)`/i.exec(h);
      if (table) {
        const name = table[1]!.replace(/``/g, '`');
        if (!this.rows.has(name)) this.rows.set(name, 0);
      } else if (/\bTRIGGER\b/i.test(h)) this.triggers++;
      else if (/^CREATE (?:DEFINER=\S+ )?(?:FUNCTION|PROCEDURE)\b/i.test(h)) this.routines++;
      else if (/^CREATE (?:DEFINER=\S+ )?EVENT\b/i.test(h)) this.events++;
      else if (/\bVIEW\b/i.test(h) && !/^CREATE TABLE\b/i.test(h)) this.views++;
    }
    this.resetStatement();
  }

  private resetStatement(): void {
    this.head = '';
    this.headDone = false;
    this.insertTable = null;
    this.valuesSeen = false;
    this.depth = 0;
  }

  result(): DumpScan {
    const rows: Record<string, number> = {};
    for (const [k, v] of [...this.rows].sort((a, b) => a[0].localeCompare(b[0]))) rows[k] = v;
    return {
      rows,
      triggers: this.triggers,
      routines: this.routines,
      events: this.events,
      views: this.views,
      endMarker: /\n-- Dump completed(?: on [^\n]*)?\s*$/.test(this.tail),
      forbidden: [...this.forbidden],
      bytes: this.bytes,
    };
  }
}
