/**
 * Comment stripping for SQL, HTML and JS/CSS block comments: `/* … *\/` and `<!-- … -->` become one space
 * (what they are to a parser), MySQL's executable comments `/*!50000 select *\/` keep their content.
 * Line comments (`--`, `#`, `//`) are not stripped here: they cannot be told from text without a tokenizer
 * (the SQL tokenizer handles them). Linear.
 */
export function stripComments(s: string): { out: string; changed: boolean } {
  if (s.indexOf('/*') < 0 && s.indexOf('<!--') < 0) return { out: s, changed: false };
  const parts: string[] = [];
  let last = 0;
  let i = 0;
  const n = s.length;
  let changed = false;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 47 /* / */ && s.charCodeAt(i + 1) === 42 /* * */) {
      parts.push(s.slice(last, i));
      changed = true;
      if (s.charCodeAt(i + 2) === 33 /* ! */) {
        // MySQL executable comment: drop the marker and version, keep the body.
        let j = i + 3;
        while (j < n && j < i + 9 && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
        parts.push(' ');
        last = j;
        i = j;
        continue;
      }
      const end = s.indexOf('*/', i + 2);
      parts.push(' ');
      i = end < 0 ? n : end + 2;
      last = i;
      continue;
    }
    if (c === 42 /* * */ && s.charCodeAt(i + 1) === 47 && changed) {
      // the close of an executable comment whose body we kept
      parts.push(s.slice(last, i), ' ');
      i += 2;
      last = i;
      continue;
    }
    if (c === 60 /* < */ && s.startsWith('<!--', i)) {
      parts.push(s.slice(last, i), ' ');
      changed = true;
      const end = s.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      last = i;
      continue;
    }
    i++;
  }
  if (!changed) return { out: s, changed: false };
  parts.push(s.slice(last));
  return { out: parts.join(''), changed: true };
}
