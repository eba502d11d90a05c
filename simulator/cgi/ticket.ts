/**
 * The JS-SDK jsapi_ticket (`cgi-bin/ticket/getticket?access_token&type=jsapi`): 7200 s, a new one on
 * every call (the previous one keeps working for the same 5-minute overlap as the access_token), a
 * daily quota (45009). `verify()` checks a wx.config signature the way WeChat's JS-SDK does.
 */
import { createHash, randomBytes } from "node:crypto";
import { SimulatorInputError, wxError, type ApiBody } from "../errors";
import { control, upstream, type UpstreamRequest } from "../http/router";
import type { SimCore, Surface } from "../surface";
import { BASIC_TOKEN_TTL_SECONDS, OVERLAP_SECONDS, beijingDay, type BasicTokens } from "./basic-token";

/** Real WeChat documents none publicly; generous, and settable for tests. */
export const DEFAULT_TICKET_QUOTA = 100_000;

interface Ticket {
  readonly value: string;
  readonly issuedAt: number;
  expiresAt: number;
}

export interface SignatureCheck {
  url: string;
  nonceStr: string;
  timestamp: number | string;
  signature: string;
}

export class JsapiTickets implements Surface {
  private tickets = new Map<string, Ticket>();
  private current: Ticket | undefined;
  private quota = DEFAULT_TICKET_QUOTA;
  private counted = { day: -1, count: 0 };

  constructor(
    private readonly core: SimCore,
    private readonly tokens: BasicTokens,
  ) {}

  readonly routes = [upstream("/cgi-bin/ticket/getticket", (req) => this.getTicket(req))];

  readonly controls = [
    control("GET", "/__sim/ticket/state", () => this.state()),
    control("POST", "/__sim/ticket/quota", (input) => {
      this.setQuota(input.ticket);
      return this.state();
    }),
    control("POST", "/__sim/ticket/verify", (input) => ({
      ok: true,
      valid: this.verify(input as unknown as SignatureCheck),
    })),
  ];

  reset(): void {
    this.tickets.clear();
    this.current = undefined;
    this.quota = DEFAULT_TICKET_QUOTA;
    this.counted = { day: -1, count: 0 };
  }

  setQuota(value: unknown): void {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new SimulatorInputError("ticket must be an integer >= 0");
    }
    this.quota = value;
  }

  currentTicket(): string | undefined {
    return this.current?.value;
  }

  /** True when `ticket` is still accepted. */
  isValid(ticket: string): boolean {
    const t = this.tickets.get(ticket);
    return t !== undefined && this.core.now() < t.expiresAt;
  }

  /**
   * WeChat's check of wx.config: sha1 over `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (url without
   * its fragment) with some ticket that is valid now.
   */
  verify(input: SignatureCheck): boolean {
    if (typeof input?.url !== "string" || typeof input.nonceStr !== "string" || typeof input.signature !== "string") {
      throw new SimulatorInputError("url, nonceStr and signature must be strings");
    }
    const url = input.url.split("#")[0] ?? "";
    for (const ticket of this.tickets.values()) {
      if (this.core.now() >= ticket.expiresAt) continue;
      const text = `jsapi_ticket=${ticket.value}&noncestr=${input.nonceStr}&timestamp=${input.timestamp}&url=${url}`;
      if (createHash("sha1").update(text).digest("hex") === input.signature) return true;
    }
    return false;
  }

  state(): Record<string, unknown> {
    const day = beijingDay(this.core.now());
    return {
      today: this.counted.day === day ? this.counted.count : 0,
      quota: this.quota,
      current: this.current
        ? { issuedAt: this.current.issuedAt, expiresAt: this.current.expiresAt, prefix: this.current.value.slice(0, 8) }
        : null,
    };
  }

  private getTicket(req: UpstreamRequest): ApiBody {
    const now = this.core.now();
    if (req.method !== "GET") return wxError(43001, now);
    const refused = this.tokens.check(req.query.get("access_token"));
    if (refused) return refused;
    if (req.query.get("type") !== "jsapi" && req.query.get("type") !== "wx_card") {
      return wxError(40097, now, "invalid args");
    }
    const day = beijingDay(now);
    if (this.counted.day !== day) this.counted = { day, count: 0 };
    if (this.counted.count >= this.quota) return wxError(45009, now);
    this.counted.count++;
    if (this.current) this.current.expiresAt = Math.min(this.current.expiresAt, now + OVERLAP_SECONDS * 1000);
    const value = randomBytes(64).toString("base64url");
    const ticket: Ticket = { value, issuedAt: now, expiresAt: now + BASIC_TOKEN_TTL_SECONDS * 1000 };
    this.tickets.set(value, ticket);
    this.current = ticket;
    return { errcode: 0, errmsg: "ok", ticket: value, expires_in: BASIC_TOKEN_TTL_SECONDS };
  }
}
