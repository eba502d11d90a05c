/**
 * WeChat Pay's notifications to the merchant's notify_url: the event (TRANSACTION.SUCCESS, REFUND.*) with
 * its resource encrypted under the APIv3 key, the request signed with the platform key, retried on WeChat
 * Pay's schedule until the merchant answers 200 or 204 within 5 seconds: 15 s, 15 s, 30 s, 3 min, 10 min,
 * 20 min, 30 min ×3, 60 min, 3 h ×3, 6 h ×2 after each failed attempt (16 attempts over 24 h 4 min).
 *
 * The schedule runs on the simulator clock: with a frozen clock a test moves it (advance()) and the
 * retries that fell due are sent; with the real clock a timer sends them. `retryScale` shrinks the
 * schedule (0.001: 15 s becomes 15 ms) for a run against the real clock. Each attempt is signed afresh.
 *
 * Faults (scripted, one per notification, in order): never sent; sent as N concurrent copies; preceded by
 * a SIGNTEST probe; a first attempt stale, badly signed, or signed with an unknown key id; encrypted with
 * another APIv3 key; carrying another amount than the order's (signed: WeChat Pay itself says so).
 */
import { randomUUID } from "node:crypto";
import { SimulatorInputError } from "../errors";
import { keepAliveFetch, type SimFetch } from "../http/client";
import type { PayKeys } from "./keys";
import { beijingTime, encryptResource, signedHeaders, type SignFault } from "./protocol";

export const RETRY_SCHEDULE_SECONDS: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];
export const NOTIFY_TIMEOUT_MS = 5000;
const MAX_RECORDS = 1000;

export type NotifyFault =
  | { readonly kind: "drop" }
  | { readonly kind: "duplicate"; readonly copies: number }
  | { readonly kind: "signtest" }
  | { readonly kind: "stale" }
  | { readonly kind: "bad_signature" }
  | { readonly kind: "unknown_serial" }
  | { readonly kind: "wrong_key" }
  | { readonly kind: "amount"; readonly total: number };

export function checkNotifyFault(value: unknown): NotifyFault {
  const f = value as Record<string, unknown> | null;
  if (typeof f !== "object" || f === null) throw new SimulatorInputError("fault must be an object");
  switch (f.kind) {
    case "drop":
    case "signtest":
    case "stale":
    case "bad_signature":
    case "unknown_serial":
    case "wrong_key":
      return { kind: f.kind };
    case "duplicate":
      if (!Number.isInteger(f.copies) || (f.copies as number) < 2 || (f.copies as number) > 50) {
        throw new SimulatorInputError("copies must be an integer 2..50");
      }
      return { kind: "duplicate", copies: f.copies as number };
    case "amount":
      if (!Number.isSafeInteger(f.total) || (f.total as number) <= 0) {
        throw new SimulatorInputError("total must be a positive integer (fen)");
      }
      return { kind: "amount", total: f.total as number };
    default:
      throw new SimulatorInputError(
        "fault kind must be drop, duplicate, signtest, stale, bad_signature, unknown_serial, wrong_key or amount",
      );
  }
}

export interface NotifyAttempt {
  readonly n: number;
  /** Simulator clock, ms. */
  readonly at: number;
  /** The answer's status per copy sent (one unless duplicated); null: no answer in time, or no connection. */
  readonly statuses: readonly (number | null)[];
  readonly ok: boolean;
  readonly timedOut: boolean;
  readonly error?: string;
  /** What was wrong with this attempt on purpose. */
  readonly fault?: string;
}

export type NotificationState = "held" | "pending" | "delivered" | "failed" | "dropped";

export interface NotificationRecord {
  readonly id: string;
  readonly eventType: string;
  readonly outTradeNo: string;
  readonly outRefundNo: string | null;
  readonly url: string;
  /** Simulator clock, ms. */
  readonly createdAt: number;
  state: NotificationState;
  readonly attempts: NotifyAttempt[];
  /** When the next attempt is due (simulator clock, ms), or null. */
  nextAt: number | null;
  /** The scripted fault, if any. */
  readonly fault: NotifyFault | null;
  /** The SIGNTEST probe's answer status, when one was sent (a merchant must refuse it: not 2xx). */
  probeStatus?: number | null;
  /** The envelope sent (its resource encrypted). */
  readonly body: string;
  /** The resource before encryption. */
  readonly resource: Readonly<Record<string, unknown>>;
}

export interface NotifyEvent {
  readonly eventType: "TRANSACTION.SUCCESS" | "REFUND.SUCCESS" | "REFUND.ABNORMAL" | "REFUND.CLOSED";
  readonly summary: string;
  readonly originalType: "transaction" | "refund";
  readonly resource: Record<string, unknown>;
  readonly url: string;
  readonly outTradeNo: string;
  readonly outRefundNo?: string;
}

export interface NotifierOptions {
  /** The HTTP client (default: kept-alive node:http). */
  readonly fetch?: SimFetch;
  /** Resolves when an attempt has waited long enough (default a real 5 s timer): tests replace it. */
  readonly waitForTimeout?: (ms: number) => Promise<void>;
}

const ok = (status: number | null) => status === 200 || status === 204;

export class Notifier {
  private records: NotificationRecord[] = [];
  private scripted: NotifyFault[] = [];
  private readonly inFlight = new Set<NotificationRecord>();
  private readonly running = new Set<Promise<void>>();
  private mode: "auto" | "manual" = "auto";
  private scale = 1;
  private closed = false;
  private readonly fetchFn: SimFetch;
  private readonly waitForTimeout: (ms: number) => Promise<void>;

  constructor(
    private readonly now: () => number,
    private readonly keys: PayKeys,
    options: NotifierOptions = {},
  ) {
    this.fetchFn = options.fetch ?? keepAliveFetch();
    this.waitForTimeout =
      options.waitForTimeout ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  }

  reset(): void {
    this.records = [];
    this.scripted = [];
    this.inFlight.clear();
    this.mode = "auto";
    this.scale = 1;
  }

  close(): void {
    this.closed = true;
  }

  /** auto: sent when the event happens; manual: held until flush(). `retryScale` multiplies the schedule. */
  configure(options: { mode?: "auto" | "manual"; retryScale?: number }): void {
    if (options.mode !== undefined) {
      if (options.mode !== "auto" && options.mode !== "manual")
        throw new SimulatorInputError("mode must be auto or manual");
      this.mode = options.mode;
    }
    if (options.retryScale !== undefined) {
      if (typeof options.retryScale !== "number" || !(options.retryScale > 0) || options.retryScale > 1) {
        throw new SimulatorInputError("retryScale must be a number in (0, 1]");
      }
      this.scale = options.retryScale;
    }
  }

  /** The next `times` notifications get this fault. */
  script(fault: NotifyFault, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new SimulatorInputError("times must be a positive integer");
    for (let i = 0; i < times; i++) this.scripted.push(fault);
  }

  list(): NotificationRecord[] {
    return [...this.records];
  }

  emit(event: NotifyEvent): NotificationRecord {
    const fault = this.scripted.shift() ?? null;
    const resource =
      fault?.kind === "amount" && event.originalType === "transaction"
        ? {
            ...event.resource,
            amount: { ...(event.resource.amount as object), total: fault.total, payer_total: fault.total },
          }
        : event.resource;
    const apiV3Key = fault?.kind === "wrong_key" ? "WrongAPIv3KeyOfAnotherMerchant00" : this.keys.apiV3Key();
    const body = JSON.stringify({
      id: randomUUID(),
      create_time: beijingTime(this.now()),
      resource_type: "encrypt-resource",
      event_type: event.eventType,
      summary: event.summary,
      resource: {
        original_type: event.originalType,
        algorithm: "AEAD_AES_256_GCM",
        ...encryptResource(apiV3Key, JSON.stringify(resource), event.originalType),
      },
    });
    const record: NotificationRecord = {
      id: (JSON.parse(body) as { id: string }).id,
      eventType: event.eventType,
      outTradeNo: event.outTradeNo,
      outRefundNo: event.outRefundNo ?? null,
      url: event.url,
      createdAt: this.now(),
      state: fault?.kind === "drop" ? "dropped" : this.mode === "manual" ? "held" : "pending",
      attempts: [],
      nextAt: fault?.kind === "drop" || this.mode === "manual" ? null : this.now(),
      fault,
      body,
      resource,
    };
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.shift();
    if (record.state === "pending") this.kick();
    return record;
  }

  /** Starts sending what is due, without waiting. */
  kick(): void {
    const run = this.deliverDue().finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Sends every attempt due by the simulator clock; resolves when they are answered. */
  async deliverDue(): Promise<void> {
    if (this.closed) return;
    const now = this.now();
    const due = this.records.filter(
      (r) => r.state === "pending" && r.nextAt !== null && r.nextAt <= now && !this.inFlight.has(r),
    );
    await Promise.all(due.map((r) => this.attempt(r)));
  }

  /** Releases what manual mode held, and sends it. */
  async flush(): Promise<number> {
    const held = this.records.filter((r) => r.state === "held");
    for (const r of held) {
      r.state = "pending";
      r.nextAt = this.now();
    }
    await this.deliverDue();
    return held.length;
  }

  /** Resolves once nothing is being sent. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private async attempt(record: NotificationRecord): Promise<void> {
    this.inFlight.add(record);
    try {
      const n = record.attempts.length + 1;
      const at = this.now();
      const fault = n === 1 ? record.fault : null;
      if (fault?.kind === "signtest" && record.probeStatus === undefined) {
        const probe = await this.send(record, "signtest");
        record.probeStatus = probe.status;
      }
      const signFault: SignFault =
        fault?.kind === "stale"
          ? "stale"
          : fault?.kind === "bad_signature"
            ? "bad"
            : fault?.kind === "unknown_serial"
              ? "unknown_serial"
              : "none";
      const copies = fault?.kind === "duplicate" ? fault.copies : 1;
      const results = await Promise.all(Array.from({ length: copies }, () => this.send(record, signFault)));
      const delivered = results.some((r) => ok(r.status));
      const firstError = results.find((r) => r.error)?.error;
      record.attempts.push({
        n,
        at,
        statuses: results.map((r) => r.status),
        ok: delivered,
        timedOut: results.every((r) => r.timedOut),
        ...(firstError ? { error: firstError } : {}),
        ...(fault && fault.kind !== "amount" && fault.kind !== "wrong_key" ? { fault: fault.kind } : {}),
      });
      if (delivered) {
        record.state = "delivered";
        record.nextAt = null;
      } else if (n > RETRY_SCHEDULE_SECONDS.length) {
        record.state = "failed";
        record.nextAt = null;
      } else {
        record.nextAt = this.now() + RETRY_SCHEDULE_SECONDS[n - 1]! * 1000 * this.scale;
      }
    } finally {
      this.inFlight.delete(record);
    }
  }

  private async send(
    record: NotificationRecord,
    fault: SignFault,
  ): Promise<{ status: number | null; timedOut: boolean; error?: string }> {
    const { privateKey, publicKeyId } = this.keys.platform();
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": "Mozilla/4.0",
      ...signedHeaders(record.body, Math.floor(this.now() / 1000), privateKey, publicKeyId, fault),
    };
    const controller = new AbortController();
    const request = (async () => {
      const res = await this.fetchFn(record.url, {
        method: "POST",
        body: record.body,
        headers,
        signal: controller.signal,
      });
      await res.text();
      return res.status;
    })();
    const timeout = this.waitForTimeout(NOTIFY_TIMEOUT_MS).then(() => "timeout" as const);
    try {
      const winner = await Promise.race([request, timeout]);
      if (winner === "timeout") {
        controller.abort();
        request.catch(() => undefined);
        return { status: null, timedOut: true };
      }
      return { status: winner, timedOut: false };
    } catch (error) {
      return { status: null, timedOut: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
}
