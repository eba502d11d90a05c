/**
 * api.weixin.qq.com and its disaster-recovery twin api2.weixin.qq.com. Calls go to the primary; a
 * transport error or a 5xx from it sends traffic to the backup for `cooldownMs`, after which the
 * primary is tried again (real traffic is the probe: if it still fails, that call fails over again).
 *
 * State is plain data per process; the clock is injected.
 */
import { WeChatApiError, WeChatTransportError } from "./errors";
import {
  CallBudget,
  DEFAULT_RETRIES,
  backoffDelay,
  callWeChatApi,
  type WeChatApiCall,
  type WeChatHttpOptions,
} from "./http";

export interface ApiHostsConfig {
  /** e.g. https://api.weixin.qq.com */
  primary: string;
  /** e.g. https://api2.weixin.qq.com; equal to primary or absent: no failover */
  backup?: string;
  now?: () => number;
  /** How long a failed host is avoided. Default 30 s. */
  cooldownMs?: number;
}

export interface HostsSnapshot {
  readonly primary: string;
  readonly backup: string | undefined;
  /** the base the next call goes to */
  readonly current: string;
  /** ms epoch until which the primary is avoided, or null */
  readonly primaryDownUntil: number | null;
}

export const DEFAULT_HOST_COOLDOWN_MS = 30_000;

const trim = (base: string) => base.replace(/\/+$/, "");

export class ApiHosts {
  readonly primary: string;
  readonly backup: string | undefined;
  readonly #now: () => number;
  readonly #cooldownMs: number;
  /** ms epoch until which each host is avoided */
  readonly #downUntil = new Map<string, number>();

  constructor(config: ApiHostsConfig) {
    this.primary = trim(config.primary);
    const backup = config.backup === undefined ? undefined : trim(config.backup);
    this.backup = backup === this.primary ? undefined : backup;
    this.#now = config.now ?? Date.now;
    this.#cooldownMs = config.cooldownMs ?? DEFAULT_HOST_COOLDOWN_MS;
  }

  /** The base the next call should use: the primary unless it failed recently and the backup did not. */
  base(): string {
    if (this.backup === undefined) return this.primary;
    const now = this.#now();
    const primaryDown = (this.#downUntil.get(this.primary) ?? 0) > now;
    if (!primaryDown) return this.primary;
    const backupDown = (this.#downUntil.get(this.backup) ?? 0) > now;
    if (!backupDown) return this.backup;
    // Both failed recently: the one that failed longer ago is likelier to be back.
    return (this.#downUntil.get(this.primary) ?? 0) <= (this.#downUntil.get(this.backup) ?? 0)
      ? this.primary
      : this.backup;
  }

  reportFailure(base: string): void {
    this.#downUntil.set(trim(base), this.#now() + this.#cooldownMs);
  }

  /** The host answered (even with a WeChat errcode): it is up. */
  reportSuccess(base: string): void {
    this.#downUntil.delete(trim(base));
  }

  snapshot(): HostsSnapshot {
    const until = this.#downUntil.get(this.primary);
    return {
      primary: this.primary,
      backup: this.backup,
      current: this.base(),
      primaryDownUntil: until !== undefined && until > this.#now() ? until : null,
    };
  }
}

/** A failure of the host rather than of our request: worth trying the other host. */
export function isHostFailure(error: unknown): boolean {
  if (!(error instanceof WeChatTransportError)) return false;
  if (error.kind === "timeout" || error.kind === "network") return true;
  return error.kind === "http_status" && error.status !== undefined && error.status >= 500;
}

function isRetryable(error: unknown): boolean {
  if (error instanceof WeChatApiError) return error.info.action === "retry";
  return isHostFailure(error);
}

/**
 * One WeChat call on the healthy host. Idempotent calls that meet a host failure are sent to the other
 * host at once; `-1` (busy) is retried with backoff; both only for idempotent calls, at most
 * `retries` extra attempts. A non-idempotent call is never sent twice, but its host failure still
 * moves the next calls to the backup. Errcodes that are not "retry" (40013, 40125, 40164, 45009, ...)
 * are thrown at once.
 */
export async function callWithFailover<T>(
  hosts: ApiHosts,
  build: (base: string) => WeChatApiCall<T>,
  http: WeChatHttpOptions = {},
): Promise<{ value: T; host: string }> {
  const retries = Math.max(0, Math.floor(http.retries ?? DEFAULT_RETRIES));
  const sleep = http.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = http.random ?? Math.random;
  const budget = new CallBudget(http);
  for (let attempt = 0; ; attempt++) {
    const base = hosts.base();
    const call = build(base);
    try {
      const value = await callWeChatApi(call, { ...http, retries: 0, timeoutMs: budget.attemptTimeout() });
      hosts.reportSuccess(base);
      return { value, host: base };
    } catch (error) {
      const hostFailed = isHostFailure(error);
      if (hostFailed) hosts.reportFailure(base);
      else if (error instanceof WeChatApiError) hosts.reportSuccess(base);
      if (!call.idempotent || attempt >= retries || !isRetryable(error)) throw error;
      // Another host is tried at once; the same host only after a backoff.
      const delay = !hostFailed || hosts.base() === base ? backoffDelay(attempt, random) : 0;
      if (!budget.allows(delay)) throw error;
      if (delay > 0) await sleep(delay);
    }
  }
}
