// returnTo must be a path on our own origin. Anything that a browser could read as another host
// (//host, /\host, schemes, their percent-encoded forms, control characters) falls back to "/".
const MAX_LENGTH = 1024;
const BASE = "http://return-to.invalid";

export function safeReturnTo(raw: string | null | undefined): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_LENGTH) return "/";
  if (!raw.startsWith("/") || raw.startsWith("//")) return "/";
  // Browsers treat "\" as "/" and drop tabs and newlines inside URLs.
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return "/";
  let decoded = raw;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return "/";
    }
    if (next === decoded) break;
    decoded = next;
    if (decoded.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(decoded) || /^\/*[a-z][a-z0-9+.-]*:/i.test(decoded))
      return "/";
  }
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  const path = url.pathname + url.search + url.hash;
  // Landing back on the auth routes would loop.
  if (url.pathname.startsWith("/api/auth/")) return "/";
  // Dot segments can turn an accepted path into a refused one ("/.//evil.com" → "//evil.com",
  // "/./%2Fevil.com" → "/%2Fevil.com"): what we hand out must pass these checks itself.
  if (path !== raw && safeReturnTo(path) !== path) return "/";
  return path;
}
