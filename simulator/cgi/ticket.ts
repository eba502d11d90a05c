/**
 * The JS-SDK jsapi_ticket and the cards' api_ticket (`cgi-bin/ticket/getticket?access_token&type=jsapi`
 * or `type=wx_card`): two independent series, each 7200 s, a new one on every call (the previous one of
 * the same type keeps working for the same 5-minute overlap as the access_token), a daily quota per type
 * (45009). `verify()` checks a wx.config signature the way WeChat's JS-SDK does (jsapi tickets only); the
 * cards surface checks a wx.addCard cardExt against `validTickets("wx_card")`.
 */
import { createHash, randomBytes } from "node:crypto";
import { SimulatorInputError, wxError, type ApiBody } from "../errors";
import { control, upstream, type UpstreamRequest } from "../http/router";
import type { SimCore, Surface } from "../surface";
import { BASIC_TOKEN_TTL_SECONDS, OVERLAP_SECONDS, beijingDay, type BasicTokens } from "./basic-token";

/** Real WeChat documents none publicly; generous, and settable for tests. */
export const DEFAULT_TICKET_QUOTA = 100_000;

export type TicketType = "jsapi" | "wx_card";
export const TICKET_TYPES: readonly TicketType[] = ["jsapi", "wx_card"];

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

interface Series {
  readonly tickets: Map<string, Ticket>;
  current: Ticket | undefined;
  counted: { day: number; count: number };
}

const newSeries = (): Series => ({ tickets: new Map(), current: undefined, counted: { day: -1, count: 0 } });

export class JsapiTickets implements Surface {
  private series: Record<TicketType, Series> = { jsapi: newSeries(), wx_card: newSeries() };
  private quota = DEFAULT_TICKET_QUOTA;

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
    this.series = { jsapi: newSeries(), wx_card: newSeries() };
    this.quota = DEFAULT_TICKET_QUOTA;
  }

  setQuota(value: unknown): void {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new SimulatorInputError("ticket must be an integer >= 0");
    }
    this.quota = value;
  }

  /** The newest ticket of a type (default jsapi). */
  currentTicket(type: TicketType = "jsapi"): string | undefined {
    return this.series[type].current?.value;
  }

  /** True when `ticket` is still accepted as a ticket of `type` (default jsapi). */
  isValid(ticket: string, type: TicketType = "jsapi"): boolean {
    const t = this.series[type].tickets.get(ticket);
    return t !== undefined && this.core.now() < t.expiresAt;
  }

  /** Every ticket of `type` accepted now (the newest and any still in its overlap). */
  validTickets(type: TicketType): string[] {
    const now = this.core.now();
    return [...this.series[type].tickets.values()].filter((t) => now < t.expiresAt).map((t) => t.value);
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
    for (const ticket of this.validTickets("jsapi")) {
      const text = `jsapi_ticket=${ticket}&noncestr=${input.nonceStr}&timestamp=${input.timestamp}&url=${url}`;
      if (createHash("sha1").update(text).digest("hex") === input.signature) return true;
    }
    return false;
  }

  /** jsapi's figures at the top (as before wx_card existed), each type's under its name. */
  state(): Record<string, unknown> {
    const day = beijingDay(this.core.now());
    const of = (type: TicketType) => {
      const { counted, current } = this.series[type];
      return {
        today: counted.day === day ? counted.count : 0,
        current: current
          ? { issuedAt: current.issuedAt, expiresAt: current.expiresAt, prefix: current.value.slice(0, 8) }
          : null,
      };
    };
    return { ...of("jsapi"), quota: this.quota, jsapi: of("jsapi"), wx_card: of("wx_card") };
  }

  private getTicket(req: UpstreamRequest): ApiBody {
    const now = this.core.now();
    if (req.method !== "GET") return wxError(43001, now);
    const refused = this.tokens.check(req.query.get("access_token"));
    if (refused) return refused;
    const type = req.query.get("type");
    if (type !== "jsapi" && type !== "wx_card") return wxError(40097, now, "invalid args");
    const series = this.series[type];
    const day = beijingDay(now);
    if (series.counted.day !== day) series.counted = { day, count: 0 };
    if (series.counted.count >= this.quota) return wxError(45009, now);
    series.counted.count++;
    if (series.current) series.current.expiresAt = Math.min(series.current.expiresAt, now + OVERLAP_SECONDS * 1000);
    const value = randomBytes(64).toString("base64url");
    const ticket: Ticket = { value, issuedAt: now, expiresAt: now + BASIC_TOKEN_TTL_SECONDS * 1000 };
    series.tickets.set(value, ticket);
    series.current = ticket;
    return { errcode: 0, errmsg: "ok", ticket: value, expires_in: BASIC_TOKEN_TTL_SECONDS };
  }
}
