// A tiny browser cookie jar for route tests: keeps what Set-Cookie says (honouring Path, Max-Age and
// Expires) and sends back what a browser would for a URL.

export interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  /** attribute names as sent, lower-cased, with their values ("" for flags) */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Parses one Set-Cookie header value. */
export function parseSetCookie(header: string): StoredCookie & { readonly expired: boolean } {
  const [pair = "", ...rest] = header.split(";");
  const eq = pair.indexOf("=");
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const attributes: Record<string, string> = {};
  for (const part of rest) {
    const at = part.indexOf("=");
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    if (key) attributes[key] = at === -1 ? "" : part.slice(at + 1).trim();
  }
  const maxAge = attributes["max-age"];
  const expires = attributes.expires;
  const expired =
    (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
  return { name, value, path: attributes.path || "/", attributes, expired };
}

export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  /** Applies a response's Set-Cookie headers. */
  store(response: Response): this {
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header);
      const key = `${cookie.name};${cookie.path}`;
      if (cookie.expired) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
    return this;
  }

  get(name: string): StoredCookie | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name);
  }

  delete(name: string): void {
    for (const [key, cookie] of this.#cookies) if (cookie.name === name) this.#cookies.delete(key);
  }

  /** The Cookie header a browser sends to `url` (undefined when none applies). */
  header(url: string): string | undefined {
    const { pathname } = new URL(url);
    const sent = [...this.#cookies.values()].filter(
      (c) => pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`),
    );
    return sent.length > 0 ? sent.map((c) => `${c.name}=${c.value}`).join("; ") : undefined;
  }
}

/** Auth.js-style request builder: a GET (or POST) to our app, with the jar's cookies. */
export function makeRequest(
  url: string,
  options: { method?: string; jar?: CookieJar; headers?: Record<string, string> } = {},
): Request {
  const headers = new Headers(options.headers);
  const cookie = options.jar?.header(url);
  if (cookie) headers.set("cookie", cookie);
  return new Request(url, { method: options.method ?? "GET", headers });
}
