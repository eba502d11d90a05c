/**
 * One HTTP round trip to WeChat, with WeChat's habits handled once:
 * JSON served as text/plain, errors with HTTP 200, `-1` meaning "busy, try again".
 * Everything with side effects (fetch, sleep, randomness) is injected so tests run offline and instantly.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import type { CgiUpload } from "./cgi";
import { WeChatApiError, WeChatTransportError, endpointPath } from "./errors";
import type { HttpFetch, HttpRequestInit, HttpResponse } from "./transport";

export interface WeChatHttpOptions {
  /** The round trip: the global fetch by default; the app passes nodeTransport() (./transport.ts), cheaper. */
  fetch?: HttpFetch;
  /** Per attempt, covering headers and body. Default 5000: a user is waiting on the other end. */
  timeoutMs?: number;
  /** Extra attempts for `-1` and transport failures, on idempotent calls only. Default 2. */
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); used for backoff jitter. */
  random?: () => number;
  /**
   * The most one call may take, every attempt and pause included: an attempt's timeout is cut to what
   * is left, and no retry starts that could not finish in time. Default: no bound beyond the attempts'.
   */
  budgetMs?: number;
  /** ms epoch, for the budget. Default Date.now. */
  now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_RETRIES = 2;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 2000;

/** Query or body fields whose values must never reach an error message, a log or a cause. */
const SECRET_FIELDS = new Set(["secret", "appsecret", "code", "access_token", "refresh_token", "ticket"]);

const REDACTED = "[redacted]";

export interface WeChatApiCall<T> {
  url: URL;
  method?: "GET" | "POST";
  body?: unknown;
  /** A file sent as multipart/form-data (instead of `body`). */
  upload?: CgiUpload;
  schema: z.ZodType<T>;
  /** Only idempotent calls are retried; a single-use OAuth code must never be sent twice. */
  idempotent: boolean;
  /** Path for errors and logs, e.g. "/sns/userinfo". */
  endpoint: string;
}

export async function callWeChatApi<T>(args: WeChatApiCall<T>, options: WeChatHttpOptions = {}): Promise<T> {
  const retries = Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES));
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const secrets = collectSecrets(args.url, args.body);
  const budget = new CallBudget(options);

  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(args, { ...options, timeoutMs: budget.attemptTimeout() }, secrets);
    } catch (error) {
      if (!args.idempotent || attempt >= retries || !isRetryable(error)) throw error;
      const delay = backoffDelay(attempt, random);
      if (!budget.allows(delay)) throw error;
      await sleep(delay);
    }
  }
}

/** What is left of one call's budgetMs (see WeChatHttpOptions), on the options' clock. */
export class CallBudget {
  readonly #now: () => number;
  readonly #end: number;
  readonly #timeoutMs: number;
  constructor(options: WeChatHttpOptions) {
    this.#now = options.now ?? Date.now;
    this.#end = options.budgetMs === undefined ? Infinity : this.#now() + options.budgetMs;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }
  /** The next attempt's timeout: the per-attempt one, or what is left if that is less. */
  attemptTimeout(): number {
    return Math.max(1, Math.min(this.#timeoutMs, this.#end - this.#now()));
  }
  /** Whether another attempt may start after a pause of `pauseMs`. */
  allows(pauseMs: number): boolean {
    return this.#now() + pauseMs < this.#end;
  }
}

/**
 * Equal jitter: half the exponential step is fixed, half random, so retries from many servers spread
 * out but never collapse to zero delay.
 */
export function backoffDelay(attempt: number, random: () => number): number {
  const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (step / 2) * r);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof WeChatApiError) return error.info.action === "retry";
  if (error instanceof WeChatTransportError) {
    if (error.kind === "timeout" || error.kind === "network") return true;
    if (error.kind === "http_status") return error.status !== undefined && error.status >= 500;
  }
  // A body of the wrong shape will be wrong again; retrying only delays the user.
  return false;
}

async function attemptOnce<T>(args: WeChatApiCall<T>, options: WeChatHttpOptions, secrets: string[]): Promise<T> {
  const endpoint = endpointPath(args.endpoint);
  const fetchFn: HttpFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const method = args.method ?? "GET";

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  // Racing against this bounds the wait even if an injected fetch ignores the AbortSignal,
  // and it also covers reading the body, which can stall after the headers arrived.
  const timedOut = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(new Error("timeout")), { once: true });
  });
  timedOut.catch(() => {});

  const timeoutError = () =>
    new WeChatTransportError({ kind: "timeout", endpoint, message: `timed out after ${timeoutMs} ms` });

  let status: number;
  let text: string;
  try {
    const init: HttpRequestInit = { method, signal: controller.signal, headers: { accept: "application/json" } };
    if (args.upload !== undefined) {
      const form = multipartBody(args.upload);
      init.body = form.body;
      init.headers = { accept: "application/json", "content-type": `multipart/form-data; boundary=${form.boundary}` };
    } else if (args.body !== undefined) {
      init.body = JSON.stringify(args.body);
      init.headers = { accept: "application/json", "content-type": "application/json; charset=utf-8" };
    }
    let response: HttpResponse;
    try {
      response = await Promise.race([fetchFn(args.url, init), timedOut]);
    } catch (error) {
      if (controller.signal.aborted) throw timeoutError();
      throw new WeChatTransportError({
        kind: "network",
        endpoint,
        message: `network error: ${redact(errorMessage(error), secrets)}`,
        cause: scrubCause(error, secrets),
      });
    }
    status = response.status;
    if (!response.ok) {
      // WeChat reports its own errors with 200; anything else came from a proxy or an outage.
      response.body?.cancel().catch(() => {});
      throw new WeChatTransportError({ kind: "http_status", endpoint, status, message: `returned HTTP ${status}` });
    }
    try {
      text = await Promise.race([response.text(), timedOut]);
    } catch (error) {
      if (controller.signal.aborted) throw timeoutError();
      throw new WeChatTransportError({
        kind: "network",
        endpoint,
        status,
        message: `network error while reading the body: ${redact(errorMessage(error), secrets)}`,
        cause: scrubCause(error, secrets),
      });
    }
  } finally {
    clearTimeout(timer);
  }

  return parseWeChatBody(text, args.schema, endpoint, status, secrets);
}

/**
 * One file as multipart/form-data (RFC 7578), the way `curl -F buffer=@logo.png` sends it. The boundary
 * is derived from the file's hash (no randomness to inject) and lengthened until the file does not contain it.
 */
export function multipartBody(upload: CgiUpload): { boundary: string; body: Uint8Array<ArrayBuffer> } {
  const data = Buffer.from(upload.data.buffer, upload.data.byteOffset, upload.data.byteLength);
  let boundary = `----wcuc${createHash("sha256").update(data).digest("hex").slice(0, 24)}`;
  while (data.includes(boundary)) boundary += "x";
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, "_") || "file";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${safe(upload.field)}"; filename="${safe(upload.filename)}"\r\n` +
      `Content-Type: ${upload.contentType.replace(/[\r\n]/g, "")}\r\n\r\n`,
    "utf8",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, "utf8");
  const body = new Uint8Array(head.length + data.length + tail.length);
  body.set(head, 0);
  body.set(data, head.length);
  body.set(tail, head.length + data.length);
  return { boundary, body };
}

/**
 * Turns a WeChat body into a typed value or a typed error. Exported for callers that receive bodies
 * some other way (e.g. a recorded response) and want the same checks.
 */
export function parseWeChatBody<T>(
  text: string,
  schema: z.ZodType<T>,
  endpoint: string,
  status = 200,
  secrets: readonly string[] = [],
): T {
  let json: unknown;
  try {
    // WeChat serves JSON as text/plain, so the Content-Type is deliberately ignored.
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    // The parser's message quotes the body, which a proxy error page might fill with our URL.
    throw new WeChatTransportError({
      kind: "bad_response",
      endpoint,
      status,
      message: `returned a body that is not JSON (${text.length} characters)`,
      cause: new SyntaxError("response body is not valid JSON"),
    });
  }

  if (typeof json === "object" && json !== null && !Array.isArray(json) && "errcode" in json) {
    const record = json as Record<string, unknown>;
    const errcode = toErrcode(record.errcode);
    if (errcode === undefined) {
      throw new WeChatTransportError({
        kind: "bad_response",
        endpoint,
        status,
        message: "returned a non-numeric errcode",
      });
    }
    if (errcode !== 0) {
      const errmsg = typeof record.errmsg === "string" ? record.errmsg : "";
      throw new WeChatApiError({ errcode, errmsg: redact(errmsg, secrets), endpoint });
    }
  }

  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new WeChatTransportError({
      kind: "bad_response",
      endpoint,
      status,
      message: `returned an unexpected body: ${redact(summarizeIssues(parsed.error), secrets)}`,
      cause: scrubCause(parsed.error, secrets),
    });
  }
  return parsed.data;
}

function toErrcode(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

function collectSecrets(url: URL, body: unknown): string[] {
  const secrets: string[] = [];
  for (const [key, value] of url.searchParams) {
    if (SECRET_FIELDS.has(key.toLowerCase()) && value !== "") secrets.push(value);
  }
  if (typeof body === "object" && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      if (SECRET_FIELDS.has(key.toLowerCase()) && typeof value === "string" && value !== "") secrets.push(value);
    }
  }
  // Longest first, so a secret that contains another is replaced whole. Encoded forms too: an error
  // message from fetch may quote the URL as sent.
  const all = new Set<string>();
  for (const s of secrets) {
    all.add(s);
    all.add(encodeURIComponent(s));
    all.add(new URLSearchParams({ s }).toString().slice(2));
  }
  return [...all].sort((a, b) => b.length - a.length);
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return typeof code === "string" ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/**
 * Keeps the original error as `cause` when it is safe to, since operators want the real stack; when
 * anything in it mentions a secret, substitutes a plain Error with the secrets blanked out.
 */
function scrubCause(error: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return error;
  if (!mentionsSecret(error, secrets, 0)) return error;
  const name = error instanceof Error ? error.name : "Error";
  const scrubbed = new Error(redact(errorMessage(error), secrets));
  scrubbed.name = name;
  scrubbed.stack = `${name}: ${scrubbed.message}`;
  return scrubbed;
}

function mentionsSecret(value: unknown, secrets: readonly string[], depth: number): boolean {
  if (value === null || value === undefined || depth > 4) return false;
  const texts: string[] = [];
  if (value instanceof Error) {
    texts.push(value.message, value.stack ?? "");
  } else if (typeof value !== "object") {
    texts.push(String(value));
  }
  try {
    texts.push(JSON.stringify(value) ?? "");
  } catch {
    // Circular or exotic: assume the worst.
    return true;
  }
  if (texts.some((t) => secrets.some((s) => t.includes(s)))) return true;
  return value instanceof Error && mentionsSecret(value.cause, secrets, depth + 1);
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
