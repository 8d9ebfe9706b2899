/** One Set-Cookie header as the browser would store it (RFC 6265 §5.2), attribute names lower-cased. */
export interface SetCookie {
  name: string;
  value: string;
  secure: boolean;
  httpOnly: boolean;
  /** The SameSite value as sent (Strict, Lax, None, or something invalid); null when absent. */
  sameSite: string | null;
  /** Seconds; null when absent or not a number. */
  maxAge: number | null;
  /** Epoch ms; null when absent or unparseable. */
  expires: number | null;
  domain: string | null;
  path: string | null;
}

/** Parses a Set-Cookie value (capped at 4 KiB by the client); null when it names no cookie. */
export function parseSetCookie(header: string): SetCookie | null {
  const [pair = '', ...attrs] = header.slice(0, 4096).split(';');
  const eq = pair.indexOf('=');
  // A pair without '=' is a cookie with an empty name (RFC 6265bis); browsers differ: ignore it.
  if (eq < 0) return null;
  const name = pair.slice(0, eq).trim();
  if (!name) return null;
  const c: SetCookie = {
    name,
    value: pair.slice(eq + 1).trim(),
    secure: false,
    httpOnly: false,
    sameSite: null,
    maxAge: null,
    expires: null,
    domain: null,
    path: null,
  };
  for (const a of attrs.slice(0, 50)) {
    const i = a.indexOf('=');
    const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : a.slice(i + 1).trim();
    switch (key) {
      case 'secure':
        c.secure = true;
        break;
      case 'httponly':
        c.httpOnly = true;
        break;
      case 'samesite':
        c.sameSite = val;
        break;
      case 'max-age':
        c.maxAge = /^-?\d+$/.test(val) ? Number(val) : c.maxAge;
        break;
      case 'expires': {
        const t = Date.parse(val);
        c.expires = Number.isNaN(t) ? c.expires : t;
        break;
      }
      case 'domain':
        c.domain = val.replace(/^\./, '') || null;
        break;
      case 'path':
        c.path = val || null;
        break;
      default:
        break;
    }
  }
  return c;
}

/** The cookie is a deletion (Max-Age ≤ 0, or Expires before `now`): it sets nothing. */
export function isDeletion(c: SetCookie, now: number): boolean {
  if (c.maxAge !== null) return c.maxAge <= 0;
  return c.expires !== null && c.expires < now;
}

/** A SameSite value that browsers honour (Strict, Lax, None); anything else counts as absent. */
export function validSameSite(c: SetCookie): 'strict' | 'lax' | 'none' | null {
  const v = c.sameSite?.toLowerCase();
  return v === 'strict' || v === 'lax' || v === 'none' ? v : null;
}
