/**
 * JavaScript and CSS escapes, one round:
 * JS `\xHH`, `\uHHHH`, `\u{H…}`, octal `\NNN` (three digits, first 0–3), `\n` `\r` `\t`, the IE null escape
 * `\0`; CSS `\H…` (1–6 hex digits, an
 * optional following space). A lone CSS escape of one hex digit counts only when a space or the end follows,
 * so Windows paths such as `c:\boot.ini` survive (`\b` + `o` is not decoded).
 * Linear; the output is never longer than the input.
 */

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

function safeChar(cp: number): string {
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(cp);
}

export function decodeEscapes(s: string): { out: string; changed: boolean } {
  if (s.indexOf('\\') < 0) return { out: s, changed: false };
  const parts: string[] = [];
  let last = 0;
  let changed = false;
  const n = s.length;
  let i = s.indexOf('\\');
  while (i >= 0 && i < n - 1) {
    const c1 = s.charCodeAt(i + 1);
    let rep: string | undefined;
    let end = i;
    if ((c1 | 0x20) === 120 /* x */ && i + 3 < n) {
      const a = hexVal(s.charCodeAt(i + 2));
      const b = hexVal(s.charCodeAt(i + 3));
      if (a >= 0 && b >= 0) {
        rep = String.fromCharCode((a << 4) | b);
        end = i + 4;
      }
    } else if ((c1 | 0x20) === 117 /* u */) {
      if (s.charCodeAt(i + 2) === 123 /* { */) {
        let j = i + 3;
        let cp = 0;
        while (j < n && j - i < 12 && hexVal(s.charCodeAt(j)) >= 0) {
          cp = Math.min(cp * 16 + hexVal(s.charCodeAt(j)), 0x110000);
          j++;
        }
        if (j > i + 3 && s.charCodeAt(j) === 125 /* } */) {
          rep = safeChar(cp);
          end = j + 1;
        }
      } else if (i + 5 < n) {
        const a = hexVal(s.charCodeAt(i + 2));
        const b = hexVal(s.charCodeAt(i + 3));
        const c = hexVal(s.charCodeAt(i + 4));
        const d = hexVal(s.charCodeAt(i + 5));
        if (a >= 0 && b >= 0 && c >= 0 && d >= 0) {
          rep = String.fromCharCode((a << 12) | (b << 8) | (c << 4) | d);
          end = i + 6;
        }
      }
    } else if (c1 >= 48 && c1 <= 51 && i + 3 < n) {
      // Octal \NNN (JS legacy): exactly three octal digits.
      const b = s.charCodeAt(i + 2) - 48;
      const c = s.charCodeAt(i + 3) - 48;
      if (b >= 0 && b <= 7 && c >= 0 && c <= 7) {
        const cp = (c1 - 48) * 64 + b * 8 + c;
        rep = cp === 0 ? '\ufffd' : String.fromCharCode(cp);
        end = i + 4;
      }
    }
    if (rep === undefined && (c1 === 110 || c1 === 114 || c1 === 116) /* \n \r \t */) {
      rep = c1 === 110 ? '\n' : c1 === 114 ? '\r' : '\t';
      end = i + 2;
    }
    if (rep === undefined && c1 === 48 && hexVal(s.charCodeAt(i + 2)) < 0) {
      // `\0` before a non-hex character: an IE-era null escape (`scr\0ipt`)
      rep = '';
      end = i + 2;
    }
    if (rep === undefined && hexVal(c1) >= 0) {
      // CSS: 1–6 hex digits, then an optional single whitespace.
      let j = i + 1;
      let cp = 0;
      while (j < n && j - i <= 6 && hexVal(s.charCodeAt(j)) >= 0) {
        cp = cp * 16 + hexVal(s.charCodeAt(j));
        j++;
      }
      const digits = j - i - 1;
      const next = s.charCodeAt(j);
      const ws = next === 32 || next === 9 || next === 10;
      if (digits >= 2 || ws || j >= n) {
        rep = safeChar(cp);
        end = ws ? j + 1 : j;
      }
    }
    if (rep !== undefined) {
      parts.push(s.slice(last, i), rep);
      last = end;
      changed = true;
      i = s.indexOf('\\', end);
    } else {
      i = s.indexOf('\\', i + 1);
    }
  }
  if (!changed) return { out: s, changed: false };
  parts.push(s.slice(last));
  return { out: parts.join(''), changed: true };
}
