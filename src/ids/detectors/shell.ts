/**
 * The command-injection detector. It finds command positions the way a POSIX shell or cmd.exe would (the
 * start of the value, after `;`, `|`, `||`, `&`, `&&`, a newline, inside backticks or `$(…)`), reads the
 * command word with the quoting and escaping tricks removed (`w'h'o"am"i`, `c\at`, `${IFS}`), and judges it:
 * a known command with arguments that fit it (`cat /etc/passwd`, `ping -n 30 127.0.0.1`, `net user x /add`)
 * is a finding; `Smith & More` or `; type of thing` are not. Also SSI `<!--#exec`, PHP code execution
 * (`system('…')`, `${phpinfo()}`) and Shellshock. Linear: one pass, each word read a bounded number of times.
 */
import type { Emit } from './sql.js';

/** What the first argument has to look like: nothing, a path, anything command-like, a number. */
type ArgKind = 'none' | 'path' | 'any' | 'number';

const COMMANDS = new Map<string, ArgKind>();
const define = (kind: ArgKind, names: string) => {
  for (const n of names.split(/\s+/)) if (n) COMMANDS.set(n, kind);
};
define(
  'none',
  'id whoami uname ifconfig ipconfig hostname pwd env printenv netstat systeminfo tasklist getuid ver true false reboot halt lsb_release nproc groups last ps route arp sysinfo w who uptime lsof',
);
define(
  'path',
  'cat type more less head tail nl tac od xxd strings rm touch cp mv find base64 stat file cd mkdir del copy attrib icacls start call ls dir',
);
define(
  'any',
  'sh bash zsh ksh csh dash cmd powershell pwsh perl python python2 python3 php ruby node lua nc ncat netcat socat telnet curl wget fetch ping nslookup dig host traceroute tracert echo printf eval exec xargs awk sed kill killall crontab sudo su certutil bitsadmin mshta rundll32 regsvr32 wmic net netsh reg sc xterm openssl tftp ftp ssh scp tar zip unzip gcc waitfor shutdown whois finger dd mail sendmail useradd passwd nmap cscript wscript vssadmin schtasks which chmod chown grep',
);
define('number', 'sleep timeout usleep at');

/** Commands so common as words that, alone after `;` or `&`, they are not read as commands (`Smith & More`). */
const NEEDS_ARG = new Set(
  'more less type copy start call file find last host mail at set groups true false dir ver ps halt net reg kill echo cd del head tail touch node fetch dig sed awk eval exec su dd zip tar stat sh nl od cp mv rm cat route arp w who which'.split(
    ' ',
  ),
);
/** Commands that are also English words: they need an argument only commands take (a flag, a path, a URL). */
const WORDLIKE = new Set(
  'echo exec eval kill killall mail call start host set type find net reg zip tar dd su sed awk fetch dig finger whois shutdown timeout waitfor more less copy file last at node dash lua ftp ssh sendmail printf xargs grep chmod chown sudo crontab gcc traceroute tracert which sc route w who'.split(
    ' ',
  ),
);
/** Commands unmistakable even alone at the start of a value. */
const UNMISTAKABLE = new Set(
  'whoami ifconfig ipconfig systeminfo uname netstat tasklist printenv lsb_release getuid'.split(' '),
);
/** Subcommands that make a word-like command a command (`net user`, `reg add`, `which perl`). */
const SUBCOMMANDS = new Map<string, Set<string>>([
  [
    'net',
    new Set('view user users localgroup group use share start stop accounts config session time'.split(' ')),
  ],
  ['netsh', new Set('firewall advfirewall interface wlan winhttp'.split(' '))],
  ['reg', new Set('add query delete export import save load'.split(' '))],
  ['sc', new Set('query create start stop config delete qc'.split(' '))],
  ['which', new Set([...COMMANDS.keys()])],
]);

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12;
}
function isSep(c: number): boolean {
  return (
    c === 59 ||
    c === 124 ||
    c === 38 ||
    c === 10 ||
    c === 13 ||
    c === 96 ||
    c === 40 ||
    c === 41 ||
    c === 123 ||
    c === 125
  );
}

interface Word {
  /** quotes and backslashes removed (`w'h'o\ami` → `whoami`) */
  text: string;
  /** quotes removed, backslashes kept (Windows paths) */
  raw: string;
  end: number;
}

/** Reads a shell word from i; `$IFS`/`${IFS}` end it. At most 256 characters are kept. */
function readWord(s: string, i: number): Word {
  const n = s.length;
  let text = '';
  let raw = '';
  let j = i;
  while (j < n && raw.length < 256) {
    const c = s.charCodeAt(j);
    if (isSpace(c) || isSep(c) || c === 60 || c === 62) break;
    if (c === 36 /* $ */ && (s.startsWith('$ifs', j) || s.startsWith('${ifs}', j))) break;
    j++;
    if (c === 39 || c === 34) continue;
    raw += s[j - 1];
    if (c !== 92) text += s[j - 1];
  }
  return { text, raw, end: j };
}

function skipBlank(s: string, i: number): number {
  const n = s.length;
  for (;;) {
    if (i >= n) return i;
    const c = s.charCodeAt(i);
    if (isSpace(c)) i++;
    else if (s.startsWith('${ifs}', i)) i += 6;
    else if (s.startsWith('$ifs', i)) {
      i += 4;
      if (s.charCodeAt(i) === 36 && s.charCodeAt(i + 1) >= 48 && s.charCodeAt(i + 1) <= 57) i += 2;
    } else return i;
  }
}

/** Where commands live: a path elsewhere (`/civicrm/file`, `../etc/passwd`) is not a command. */
const BIN_PATH =
  /^(?:\/usr(?:\/local)?)?\/s?bin\/|^\/?(?:usr\/)?(?:local\/)?s?bin\/|system32[\\/]|^[a-z]:[\\/]{1,2}windows[\\/]|\.exe$/;

function baseName(word: string): { name: string; pathy: boolean } {
  const slash = Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\'));
  if (slash >= 0 && !BIN_PATH.test(word)) return { name: '', pathy: false };
  let name = slash >= 0 ? word.slice(slash + 1) : word;
  if (name.endsWith('.exe') || name.endsWith('.com')) name = name.slice(0, -4);
  return { name, pathy: slash >= 0 };
}

const PATHLIKE = /^(?:[/~]|\.{1,2}[/\\]|[a-z]:(?:$|[\\/"'*])|\\\\|%[a-z]+%|\$[a-z_{])/;
const FLAG = /^(?:-{1,2}[a-z0-9]|\/[a-z?]{1,12}(?:$|:))/;
const NUMBER = /^\d/;
const URLISH = /^(?:https?|ftp|tftp):\/\/|^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/;

function argFits(name: string, kind: ArgKind, arg: Word, strict: boolean, restEmpty: boolean): boolean {
  const a = arg.raw;
  if (FLAG.test(a)) return true;
  const sub = SUBCOMMANDS.get(name);
  if (sub?.has(arg.text)) return true;
  switch (kind) {
    case 'none':
      return false;
    case 'path':
      return PATHLIKE.test(a) || (!strict && /\.[a-z0-9]{1,4}$/.test(a));
    case 'number':
      return NUMBER.test(a) && (!strict || restEmpty);
    case 'any':
      if (PATHLIKE.test(a) || URLISH.test(a) || /^['"`$]/.test(a)) return true;
      return !strict && !WORDLIKE.has(name) && (NUMBER.test(a) || /^[a-z0-9._-]+$/.test(a));
  }
}

interface Command {
  ok: boolean;
  /** The command came with a path (`/usr/bin/id`, `c:\windows\system32\cmd.exe`). */
  pathy: boolean;
  /** It took no argument. */
  bare: boolean;
  name: string;
  /** A shell separator follows the command (`id;`, `whoami|`). */
  sepAfter: boolean;
}

/** Every command name the detector knows (the prefilter lets no value starting with one through). */
export const COMMAND_NAMES: readonly string[] = [...COMMANDS.keys()];

const NO: Command = { ok: false, pathy: false, bare: false, name: '', sepAfter: false };

/**
 * Judges the command at i. `strict` (the start of the value, where ordinary text also begins) asks for
 * arguments that only commands take: flags, paths, URLs, addresses, quoted strings. `strongSep`: the
 * separator before was a pipe or `&&` (then a lone `| dir` is a command too).
 */
function commandAt(s: string, i: number, strict: boolean, strongSep: boolean): Command {
  const start = skipBlank(s, i);
  const w = readWord(s, start);
  if (!w.text) return NO;
  let { name, pathy } = baseName(w.raw);
  let kind = COMMANDS.get(name);
  if (kind === undefined) {
    ({ name, pathy } = baseName(w.text));
    kind = COMMANDS.get(name);
  }
  if (kind === undefined) return NO;
  const a = skipBlank(s, w.end);
  const c = s.charCodeAt(a);
  const sepAfter = a < s.length && isSep(c);
  const atEnd = a >= s.length || isSep(c) || c === 39 || c === 34 || c === 62 || c === 60;
  if (atEnd) {
    const ok =
      pathy ||
      (kind === 'none' && !NEEDS_ARG.has(name)) ||
      c === 96 ||
      (strongSep && (kind === 'none' || kind === 'path'));
    return { ok, pathy, bare: true, name, sepAfter };
  }
  const arg = readWord(s, a);
  const rest = skipBlank(s, arg.end);
  const restEmpty = rest >= s.length || isSep(s.charCodeAt(rest));
  const ok =
    (arg.raw.length > 0 && argFits(name, kind, arg, strict, restEmpty)) || (pathy && kind !== 'number');
  return { ok, pathy, bare: false, name, sepAfter: false };
}

const PHP_CODE =
  /(?:^|[^\w$>.-])@?(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|assert|create_function|call_user_func|preg_replace|eval|phpinfo|phpversion|base64_decode|file_get_contents|file_put_contents|fopen|readfile|include|require|include_once|require_once)\s{0,8}\(\s{0,8}(?:['"$`)]|[a-z_]\w{0,40}\s{0,4}\()/;
const PHP_COMPLEX =
  /\{\s{0,4}\$\{|\$\{\s{0,4}@|<\?(?:php\b|=|\s)|\$_(?:get|post|request|cookie|server|files|env|session)\s{0,4}\[/;
const SHELLSHOCK = /\(\s{0,4}\)\s{0,4}\{\s{0,8}[:;]/;

export function detectShell(text: string, emit: Emit): void {
  const n = text.length;
  // SSI, PHP code execution, Shellshock
  if (
    text.indexOf('<!--#') >= 0 &&
    /<!--#\s{0,8}(?:exec|include|echo|config|printenv|fsize|flastmod)\b/.test(text)
  )
    emit('cmdi.ssi');
  if (text.indexOf('(') >= 0) {
    if (PHP_CODE.test(text)) emit('cmdi.code-exec');
    if (SHELLSHOCK.test(text)) emit('cmdi.shellshock');
  }
  if (PHP_COMPLEX.test(text)) emit('cmdi.code-exec');
  if (text.indexOf('${ifs') >= 0 || text.indexOf('$ifs') >= 0) emit('cmdi.shell-obfuscation');
  // the value itself begins with a command (`cat /etc/passwd`, `/usr/bin/id`, `ping -n 3 127.0.0.1`)
  {
    let s0 = 0;
    while (
      s0 < n &&
      (text.charCodeAt(s0) === 39 || text.charCodeAt(s0) === 34 || isSpace(text.charCodeAt(s0)))
    )
      s0++;
    const r = commandAt(text, s0, true, false);
    if (r.ok) {
      // a lone `id` or `ls` is not a finding (parameter names, initials); `whoami` or `id;` is
      if (r.pathy) emit('cmdi.command-path');
      else if (!r.bare || r.sepAfter || UNMISTAKABLE.has(r.name)) emit('cmdi.command-start');
    }
  }
  // command positions after separators
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let next = -1;
    let subst = false;
    let strong = false;
    if (c === 59 || c === 10 || c === 13) next = i + 1;
    else if (c === 124 || c === 38) {
      const double = text.charCodeAt(i + 1) === c;
      next = double ? i + 2 : i + 1;
      strong = c === 124 || double;
    } else if (c === 96) {
      next = i + 1;
      subst = true;
    } else if (c === 36 && text.charCodeAt(i + 1) === 40) {
      next = i + 2;
      subst = true;
    }
    if (next < 0) {
      i++;
      continue;
    }
    // separators may be doubled or mixed (`;|`, `&&|`, `$(\``)
    for (;;) {
      const d = text.charCodeAt(next);
      if (d === 59 || d === 124 || d === 38) next++;
      else if (d === 96) {
        subst = true;
        next++;
      } else if (d === 36 && text.charCodeAt(next + 1) === 40) {
        subst = true;
        next += 2;
      } else break;
    }
    const r = commandAt(text, next, false, strong || subst);
    if (r.ok) {
      emit(subst ? 'cmdi.substitution' : 'cmdi.chained-command');
      return;
    }
    i = next;
  }
}
