// Limits on starting a login. Each start writes a LoginState row (kept until it expires, then deleted by
// retention), so a script looping /api/auth/wechat/login must be refused before that write: per client
// address (only when a trusted proxy says who the client is, see clientIp) and for the whole process.
// Token buckets in memory, per instance: nothing to write, nothing that grows without bound.

export interface StartLimits {
  /** login starts a client address may make per minute (a burst of that many, refilled evenly) */
  readonly perAddressPerMinute: number;
  /** login starts this process accepts per second, all clients together */
  readonly perSecond: number;
  /** most addresses remembered at once; beyond it the idlest are forgotten (they start full again) */
  readonly maxAddresses?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class LoginStartLimiter {
  readonly #limits: Required<StartLimits>;
  readonly #now: () => number;
  readonly #global: Bucket;
  readonly #addresses = new Map<string, Bucket>();

  constructor(limits: StartLimits, now: () => number = Date.now) {
    this.#limits = { maxAddresses: 50_000, ...limits };
    this.#now = now;
    this.#global = { tokens: limits.perSecond, at: now() };
  }

  /**
   * Takes one start for `address` (null: unknown, only the global bucket applies). Returns 0 when
   * allowed, else how many seconds until a start would be (for Retry-After); nothing is taken then.
   */
  take(address: string | null): number {
    const now = this.#now();
    const { perAddressPerMinute, perSecond } = this.#limits;
    const global = refill(this.#global, perSecond, perSecond / 1000, now);
    let own: Bucket | undefined;
    if (address !== null) {
      own = this.#addresses.get(address);
      if (own) this.#addresses.delete(address); // re-inserted below: the Map's order is by last use
      own = refill(
        own ?? { tokens: perAddressPerMinute, at: now },
        perAddressPerMinute,
        perAddressPerMinute / 60_000,
        now,
      );
      this.#remember(address, own);
    }
    const waitMs = Math.max(
      global.tokens >= 1 ? 0 : (1 - global.tokens) / (perSecond / 1000),
      !own || own.tokens >= 1 ? 0 : (1 - own.tokens) / (perAddressPerMinute / 60_000),
    );
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    global.tokens -= 1;
    if (own) own.tokens -= 1;
    return 0;
  }

  #remember(address: string, bucket: Bucket): void {
    this.#addresses.set(address, bucket);
    if (this.#addresses.size > this.#limits.maxAddresses) {
      const idlest = this.#addresses.keys().next().value;
      if (idlest !== undefined) this.#addresses.delete(idlest);
    }
  }
}

function refill(bucket: Bucket, capacity: number, perMs: number, now: number): Bucket {
  bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
  bucket.at = now;
  return bucket;
}
