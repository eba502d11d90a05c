/**
 * Template messages (cgi-bin/template/*, message/template/send) and customer service messages
 * (message/custom/send), as strictly as WeChat: at most 25 private templates; each value checked against
 * its field's type (the 2023 rules, our own reading written again here, independent of lib/wechat); 43004
 * for people who do not follow, 43019 for the blacklisted, a daily quota per Beijing day (45009),
 * client_msg_id de-duplication for 10 minutes, 64-bit-looking msgids, and the TEMPLATESENDJOBFINISH push
 * to the app's endpoint after a short delay (success, or `failed:user block` for a persona who refuses the
 * account's messages). Customer service texts only within 48 hours of the person's last message or event
 * (45015), at most 20 without an answer (45047).
 *
 * Counts stay cheap at 100,000 sends: one number per openid, the last 1,000 sends kept whole.
 */
import { createHash, randomBytes } from "node:crypto";
import { SimulatorInputError, type ApiBody } from "../errors";
import { control, type Route } from "../http/router";
import type { MessagePusher, PushAttempt, PushInput } from "../push";
import type { SimCore, Surface } from "../surface";
import type { Followers } from "./followers";
import type { CgiRoutes } from "./guard";

export const TEMPLATE_MAX = 25;
export const DEFAULT_DAILY_QUOTA = 100_000;
export const DEDUPE_MS = 10 * 60_000;
export const REPLY_WINDOW_MS = 48 * 3600_000;
export const REPLIES_WITHOUT_ANSWER = 20;
const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3600_000;
const RECENT_MAX = 1000;

export interface SimTemplate {
  readonly template_id: string;
  readonly title: string;
  readonly primary_industry: string;
  readonly deputy_industry: string;
  readonly content: string;
  readonly example: string;
}

type LibraryEntry = Omit<SimTemplate, "template_id">;

const SHIPPED: LibraryEntry = {
  title: "订单发货通知",
  primary_industry: "IT科技",
  deputy_industry: "互联网|电子商务",
  content:
    "订单编号：{{character_string1.DATA}}\n商品名称：{{thing2.DATA}}\n快递公司：{{thing3.DATA}}\n发货时间：{{time4.DATA}}",
  example: "订单编号：SO20261204001\n商品名称：挂耳咖啡 20 包\n快递公司：顺丰速运\n发货时间：2026年12月4日 15:01",
};

/** The templates the account has at start (and after reset). */
const SEEDED: readonly LibraryEntry[] = [
  SHIPPED,
  {
    title: "支付成功通知",
    primary_industry: "IT科技",
    deputy_industry: "互联网|电子商务",
    content: "订单号：{{character_string1.DATA}}\n支付金额：{{amount2.DATA}}\n支付时间：{{time3.DATA}}",
    example: "订单号：SO20261204001\n支付金额：¥59.00\n支付时间：2026-12-04 15:01",
  },
  {
    title: "预约成功提醒",
    primary_industry: "消费品",
    deputy_industry: "消费品",
    content:
      "预约人：{{name1.DATA}}\n联系电话：{{phone_number2.DATA}}\n预约日期：{{date3.DATA}}\n人数：{{number4.DATA}}\n状态：{{phrase5.DATA}}",
    example: "预约人：张三\n联系电话：138-0013-8000\n预约日期：2026年12月5日\n人数：2\n状态：已确认",
  },
  {
    title: "停车缴费提醒",
    primary_industry: "交通工具",
    deputy_industry: "交通工具",
    content:
      "车牌号：{{car_number1.DATA}}\n停车场：{{thing2.DATA}}\n车位等级：{{letter3.DATA}}\n标记：{{symbol4.DATA}}",
    example: "车牌号：粤B12345\n停车场：科技园 B2\n车位等级：VIP\n标记：★",
  },
];

/** WeChat's template library, by short id (编号), for api_add_template. */
export const TEMPLATE_LIBRARY: Readonly<Record<string, LibraryEntry>> = {
  OPENTM207498902: SHIPPED,
  OPENTM417958215: {
    title: "退款成功通知",
    primary_industry: "IT科技",
    deputy_industry: "互联网|电子商务",
    content: "退款金额：{{amount1.DATA}}\n退款原因：{{thing2.DATA}}\n到账时间：{{date3.DATA}}",
    example: "退款金额：¥59.00\n退款原因：七天无理由退货\n到账时间：2026-12-06",
  },
  /** `const` (常量) is a type without a rule of its own here: any 1–20 characters, like thing. */
  OPENTM416836000: {
    title: "工单进度提醒",
    primary_industry: "IT科技",
    deputy_industry: "IT软件与服务",
    content: "工单编号：{{character_string1.DATA}}\n处理进度：{{const2.DATA}}",
    example: "工单编号：T20261204001\n处理进度：已受理",
  },
  OPENTM200000001: {
    title: "会员到期提醒",
    primary_industry: "IT科技",
    deputy_industry: "互联网|电子商务",
    content: "会员等级：{{phrase1.DATA}}\n到期日期：{{date2.DATA}}",
    example: "会员等级：黄金会员\n到期日期：2026年12月31日",
  },
};

const seededId = (n: number) => createHash("sha256").update(`sim-template-${n}`).digest("base64url").slice(0, 43);
const newTemplateId = () => randomBytes(33).toString("base64url").slice(0, 43);

// ---- the value rules, one predicate per type (lengths in code points) ----

const HAN = /^\p{Script=Han}$/u;
const isHan = (c: string) => HAN.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";
const isAsciiLetter = (c: string) => /^[A-Za-z]$/.test(c);
const within = (v: string, max: number) => {
  const n = [...v].length;
  return n >= 1 && n <= max;
};
const DAY = String.raw`(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2})`;
const HOUR = String.raw`([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?`;
const oneOrRange = (v: string, one: RegExp) =>
  v.split(/\s*~\s*/).length <= 2 && v.split(/\s*~\s*/).every((p) => one.test(p));
const TIME_ONE = new RegExp(`^(${DAY} )?${HOUR}$`);
const DATE_ONE = new RegExp(`^${DAY}( ${HOUR})?$`);

const VALID: Readonly<Record<string, (v: string) => boolean>> = {
  thing: (v) => within(v, 20),
  number: (v) => within(v, 32) && /^\d+(\.\d+)?$/.test(v),
  letter: (v) => within(v, 32) && [...v].every(isAsciiLetter),
  symbol: (v) => within(v, 5) && [...v].every((c) => !/[\p{L}\p{N}\s]/u.test(c)),
  character_string: (v) => within(v, 32) && [...v].every((c) => c > " " && c <= "~"),
  phone_number: (v) => within(v, 17) && /^\+?\d([\d -]*\d)?$/.test(v),
  car_number: (v) => {
    const cs = [...v];
    if (cs.length < 3 || cs.length > 8) return false;
    const upperOrDigit = (c: string) => isDigit(c) || (c >= "A" && c <= "Z");
    const first = cs[0]!;
    const last = cs[cs.length - 1]!;
    return (
      (isHan(first) || (first >= "A" && first <= "Z")) &&
      cs.slice(1, -1).every(upperOrDigit) &&
      (upperOrDigit(last) || isHan(last))
    );
  },
  name: (v) => {
    const cs = [...v];
    if (cs.length >= 1 && cs.length <= 10 && cs.every(isHan)) return true;
    return (
      cs.length >= 1 &&
      cs.length <= 20 &&
      isAsciiLetter(cs[0]!) &&
      cs.every((c) => isAsciiLetter(c) || c === " " || c === ".")
    );
  },
  phrase: (v) => within(v, 5) && [...v].every(isHan),
  time: (v) => oneOrRange(v, TIME_ONE),
  date: (v) => oneOrRange(v, DATE_ONE),
  amount: (v) => within(v, 20) && /^[¥￥$€£]?\d+(\.\d{1,2})?元?$/u.test(v),
};

/** An absolute http(s) URL with a host and no whitespace (anything else is 40039). */
function isHttpUrl(url: unknown): boolean {
  if (typeof url !== "string" || !/^https?:\/\/[^\s/?#]+\S*$/i.test(url)) return false;
  try {
    return new URL(url).hostname !== "";
  } catch {
    return false;
  }
}

/** The fields of a content, in order: [key, type]. */
function fieldsOf(content: string): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const m of content.matchAll(/\{\{\s*([A-Za-z_]+\d*)\.DATA\s*\}\}/g)) {
    const key = m[1]!;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([key, key.replace(/\d+$/, "")]);
  }
  return out;
}

export type DeliveryMode = { mode: "after"; delayMs: number } | { mode: "before-reply" } | { mode: "manual" };

interface Delivery {
  readonly openid: string;
  readonly msgid: string;
}

/** What became of one delivery report: `ok` is the app's answer (the pusher's report); a push that threw is `error`. */
export interface DeliveryOutcome {
  readonly msgid: string;
  readonly openid: string;
  readonly status: string;
  readonly ok: boolean;
  readonly error?: string;
}

const attemptText = (a: PushAttempt) => a.error ?? (a.timedOut ? "timed out" : `HTTP ${a.status}`);

export interface SentTemplate {
  readonly msgid: string;
  readonly touser: string;
  readonly template_id: string;
  readonly data: unknown;
  readonly url: string | null;
  /** `{appid, pagepath?}` as sent, or null */
  readonly miniprogram: unknown;
  readonly client_msg_id: string | null;
  readonly at: number;
}

export class Messages implements Surface {
  private templates = new Map<string, SimTemplate>();
  private dailyQuota = DEFAULT_DAILY_QUOTA;
  private used = { day: -1, count: 0 };
  private nextMsgid = 0n;
  private readonly dedupe = new Map<string, { msgid: string; at: number }>();
  /** Delivery reports the app took, and did not take (down, an error status, a bad reply), since reset. */
  private reportsOk = 0;
  private reportsFailed = 0;
  private lastReportError: string | null = null;
  private readonly received = new Map<string, number>();
  private recent: SentTemplate[] = [];
  private total = 0;
  private readonly refusing = new Set<string>();
  private delivery: DeliveryMode = { mode: "after", delayMs: 300 };
  private manual: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The deliveries scheduled by a timer ("after"), by that timer: flush takes them early. */
  private readonly scheduled = new Map<NodeJS.Timeout, Delivery>();
  private delivered: DeliveryOutcome[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Customer service: each person's last message or event, and the replies since. */
  private readonly lastInteraction = new Map<string, number>();
  private readonly repliesSince = new Map<string, number>();
  private customSent: { touser: string; content: string; at: number }[] = [];

  constructor(
    private readonly core: SimCore,
    private readonly followers: Followers,
    private readonly pusher: MessagePusher,
  ) {
    this.reset();
    pusher.onPush((input) => this.interacted(input));
  }

  reset(): void {
    this.templates = new Map(
      SEEDED.map((t, i) => {
        const id = seededId(i + 1);
        return [id, { template_id: id, ...t }];
      }),
    );
    this.dailyQuota = DEFAULT_DAILY_QUOTA;
    this.used = { day: -1, count: 0 };
    this.nextMsgid = 2_000_000_000n + BigInt(randomBytes(3).readUIntBE(0, 3)) * 1000n;
    this.dedupe.clear();
    this.reportsOk = this.reportsFailed = 0;
    this.lastReportError = null;
    this.received.clear();
    this.recent = [];
    this.total = 0;
    this.refusing.clear();
    this.delivery = { mode: "after", delayMs: 300 };
    this.dropPending();
    this.delivered = [];
    this.lastInteraction.clear();
    this.repliesSince.clear();
    this.customSent = [];
  }

  async close(): Promise<void> {
    this.dropPending();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Forgets the reports held (manual) or scheduled (after): reset and close push nothing more. */
  private dropPending(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.scheduled.clear();
    this.manual = [];
  }

  // ---- what tests and the bench read ----

  list(): SimTemplate[] {
    return [...this.templates.values()];
  }

  /** How many distinct template messages an openid received. */
  receivedBy(openid: string): number {
    return this.received.get(openid) ?? 0;
  }

  stats(): {
    total: number;
    openids: number;
    maxPerOpenid: number;
    recent: SentTemplate[];
    reports: { ok: number; failed: number; lastError: string | null };
  } {
    let max = 0;
    for (const n of this.received.values()) if (n > max) max = n;
    return {
      total: this.total,
      openids: this.received.size,
      maxPerOpenid: max,
      recent: [...this.recent],
      reports: { ok: this.reportsOk, failed: this.reportsFailed, lastError: this.lastReportError },
    };
  }

  /** The delivery reports pushed so far (the last 1,000), with the app's answer. */
  deliveries(): readonly DeliveryOutcome[] {
    return [...this.delivered];
  }

  /** Delivery reports not pushed yet (held by manual mode, or waiting for their timer). */
  pendingDeliveries(): number {
    return this.manual.length + this.scheduled.size;
  }

  customMessages(): readonly { touser: string; content: string; at: number }[] {
    return this.customSent;
  }

  setDailyQuota(n: number): void {
    this.dailyQuota = n;
  }

  setDelivery(mode: DeliveryMode): void {
    this.delivery = mode;
  }

  setRefusing(openid: string, refuse: boolean): void {
    if (refuse) this.refusing.add(openid);
    else this.refusing.delete(openid);
  }

  /** The person wrote to (or acted on) the account at `at` (default now): the 48-hour window opens. */
  interact(openid: string, at = this.core.now()): void {
    this.lastInteraction.set(openid, at);
    this.repliesSince.set(openid, 0);
  }

  /** Pushes every delivery report held or scheduled now; resolves when they have all been answered. */
  async flushDeliveries(): Promise<number> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const held = [...this.manual, ...this.scheduled.values()];
    this.manual = [];
    this.scheduled.clear();
    await Promise.all(held.map((d) => this.deliver(d)));
    await Promise.allSettled([...this.inFlight]);
    return held.length;
  }

  private interacted(input: PushInput): void {
    if (input.type === "TEMPLATESENDJOBFINISH" || input.type === "unsubscribe") return;
    this.interact(input.openid, (input.createTime ?? Math.floor(this.core.now() / 1000)) * 1000);
  }

  private deliver(d: Delivery): Promise<unknown> {
    const status = this.refusing.has(d.openid) ? "failed:user block" : "success";
    // The app's endpoint being down must not break the simulator: the outcome is recorded, never thrown.
    const pushing = this.pusher
      .push({ type: "TEMPLATESENDJOBFINISH", openid: d.openid, msgId: d.msgid, status })
      .then(
        (report): DeliveryOutcome => ({
          ...d,
          status,
          ok: report.ok,
          ...(report.ok ? {} : { error: `${report.replyCheck}: ${report.attempts.map(attemptText).join(", ")}` }),
        }),
        (err: unknown): DeliveryOutcome => ({
          ...d,
          status,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        }),
      )
      .then((outcome) => {
        if (outcome.ok) this.reportsOk++;
        else {
          this.reportsFailed++;
          this.lastReportError = outcome.error ?? null;
        }
        this.delivered.push(outcome);
        if (this.delivered.length > RECENT_MAX) this.delivered.shift();
      });
    this.inFlight.add(pushing);
    void pushing.finally(() => this.inFlight.delete(pushing));
    return pushing;
  }

  private async afterSend(d: Delivery): Promise<void> {
    const mode = this.delivery;
    if (mode.mode === "manual") this.manual.push(d);
    else if (mode.mode === "before-reply") await this.deliver(d);
    else {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.scheduled.delete(timer);
        void this.deliver(d);
      }, mode.delayMs);
      timer.unref();
      this.timers.add(timer);
      this.scheduled.set(timer, d);
    }
  }

  // ---- routes ----

  get controls(): Route[] {
    const str = (v: unknown, name: string) => {
      if (typeof v !== "string" || v === "") throw new SimulatorInputError(`${name} must be a non-empty string`);
      return v;
    };
    return [
      control("POST", "/__sim/template/refuse", (input) => {
        if (typeof input.refuse !== "boolean") throw new SimulatorInputError("refuse must be true or false");
        this.setRefusing(str(input.openid, "openid"), input.refuse);
        return { ok: true };
      }),
      control("POST", "/__sim/template/quota", (input) => {
        const n = input.daily;
        if (typeof n !== "number" || !Number.isInteger(n) || n < 0)
          throw new SimulatorInputError("daily must be an integer ≥ 0");
        this.setDailyQuota(n);
        return { ok: true };
      }),
      control("POST", "/__sim/template/delivery", (input) => {
        if (input.mode === "after") {
          const delayMs = input.delayMs ?? 300;
          if (typeof delayMs !== "number" || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > 600_000)
            throw new SimulatorInputError("delayMs must be an integer 0..600000");
          this.setDelivery({ mode: "after", delayMs });
        } else if (input.mode === "before-reply" || input.mode === "manual") this.setDelivery({ mode: input.mode });
        else throw new SimulatorInputError("mode must be after, before-reply or manual");
        return { ok: true };
      }),
      control("POST", "/__sim/template/flush", async () => ({ pushed: await this.flushDeliveries() })),
      control("GET", "/__sim/template/sends", () => this.stats()),
      control("GET", "/__sim/template/received", (_input, query) => ({
        count: this.receivedBy(str(query.get("openid"), "openid")),
      })),
      control("POST", "/__sim/persona/interact", (input) => {
        const at = input.at;
        if (at !== undefined && (typeof at !== "number" || !Number.isFinite(at)))
          throw new SimulatorInputError("at must be a time in ms");
        this.interact(str(input.openid, "openid"), at as number | undefined);
        return { ok: true };
      }),
    ];
  }

  cgiRoutes(cgi: CgiRoutes): Route[] {
    return [
      cgi.get("/cgi-bin/template/get_all_private_template", () => ({ template_list: this.list() })),
      cgi.post("/cgi-bin/template/api_add_template", (b) => this.add(b)),
      cgi.post("/cgi-bin/template/del_private_template", (b) => {
        const id = b.template_id;
        if (typeof id !== "string" || !this.templates.delete(id))
          return this.followers.err(40037, "invalid template_id");
        return { errcode: 0, errmsg: "ok" };
      }),
      cgi.post("/cgi-bin/message/template/send", (b) => this.send(b)),
      cgi.post("/cgi-bin/message/custom/send", (b) => this.custom(b)),
    ];
  }

  private add(b: Record<string, unknown>): ApiBody {
    const short = b.template_id_short;
    const entry =
      typeof short === "string" && Object.hasOwn(TEMPLATE_LIBRARY, short) ? TEMPLATE_LIBRARY[short] : undefined;
    if (!entry) return this.followers.err(40037, "invalid template_id");
    if (this.templates.size >= TEMPLATE_MAX) return this.followers.err(45026, "template size out of limit");
    const id = newTemplateId();
    this.templates.set(id, { template_id: id, ...entry });
    return { errcode: 0, errmsg: "ok", template_id: id };
  }

  private async send(b: Record<string, unknown>): Promise<ApiBody> {
    const now = this.core.now();
    const touser = b.touser;
    const index = typeof touser === "string" ? this.followers.indexOf(touser) : undefined;
    if (index === undefined || typeof touser !== "string") return this.followers.err(40003, "invalid openid");
    const template = typeof b.template_id === "string" ? this.templates.get(b.template_id) : undefined;
    if (!template) return this.followers.err(40037, "invalid template_id");
    if (b.url !== undefined && !isHttpUrl(b.url)) return this.followers.err(40039, "invalid url size");
    const clientMsgId = b.client_msg_id;
    if (
      clientMsgId !== undefined &&
      (typeof clientMsgId !== "string" || clientMsgId.length < 1 || clientMsgId.length > 32)
    )
      return this.followers.err(47003, "argument invalid! client_msg_id invalid");
    if (!this.followers.isSubscribed(index)) return this.followers.err(43004, "require subscribe");
    if (this.followers.blacklist.has(index)) return this.followers.err(43019, "require remove blacklist");

    const key = typeof clientMsgId === "string" ? `${touser}\n${clientMsgId}` : null;
    const first = key ? this.dedupe.get(key) : undefined;
    if (first && now - first.at < DEDUPE_MS) return { errcode: 0, errmsg: "ok", msgid: Number(first.msgid) };

    const day = Math.floor((now + BEIJING_MS) / DAY_MS);
    if (this.used.day !== day) this.used = { day, count: 0 };
    if (this.used.count >= this.dailyQuota) return this.followers.err(45009, "reach max api daily quota limit");

    const data = typeof b.data === "object" && b.data !== null ? (b.data as Record<string, unknown>) : {};
    for (const [field, type] of fieldsOf(template.content)) {
      const item = Object.hasOwn(data, field) ? data[field] : undefined;
      const value = typeof item === "object" && item !== null ? (item as { value?: unknown }).value : undefined;
      const valid = VALID[type] ?? VALID.thing!;
      if (typeof value !== "string" || !valid(value))
        return this.followers.err(47003, `argument invalid! data.${field}.value invalid`);
    }

    this.used.count++;
    this.nextMsgid += 1n + BigInt(randomBytes(1)[0]! % 7);
    const msgid = String(this.nextMsgid);
    if (key) {
      this.dedupe.set(key, { msgid, at: now });
      if (this.dedupe.size % 1000 === 0)
        for (const [k, v] of this.dedupe) if (now - v.at >= DEDUPE_MS) this.dedupe.delete(k);
    }
    this.total++;
    this.received.set(touser, (this.received.get(touser) ?? 0) + 1);
    this.recent.push({
      msgid,
      touser,
      template_id: template.template_id,
      data: b.data,
      url: typeof b.url === "string" ? b.url : null,
      miniprogram: b.miniprogram ?? null,
      client_msg_id: typeof clientMsgId === "string" ? clientMsgId : null,
      at: now,
    });
    if (this.recent.length > RECENT_MAX) this.recent.shift();
    await this.afterSend({ openid: touser, msgid });
    return { errcode: 0, errmsg: "ok", msgid: Number(msgid) };
  }

  private custom(b: Record<string, unknown>): ApiBody {
    const touser = b.touser;
    const index = typeof touser === "string" ? this.followers.indexOf(touser) : undefined;
    if (index === undefined || typeof touser !== "string") return this.followers.err(40003, "invalid openid");
    if (b.msgtype !== "text") return this.followers.err(40008, "invalid message type");
    const content = (b.text as { content?: unknown } | undefined)?.content;
    if (typeof content !== "string" || content === "") return this.followers.err(44004, "empty content");
    if (Buffer.byteLength(content) > 2048) return this.followers.err(45002, "content size out of limit");
    if (!this.followers.isSubscribed(index)) return this.followers.err(43004, "require subscribe");
    const last = this.lastInteraction.get(touser);
    if (last === undefined || this.core.now() - last > REPLY_WINDOW_MS)
      return this.followers.err(45015, "response out of time limit or subscription is canceled");
    const replies = this.repliesSince.get(touser) ?? 0;
    if (replies >= REPLIES_WITHOUT_ANSWER) return this.followers.err(45047, "out of response count limit");
    this.repliesSince.set(touser, replies + 1);
    this.customSent.push({ touser, content, at: this.core.now() });
    if (this.customSent.length > RECENT_MAX) this.customSent.shift();
    return { errcode: 0, errmsg: "ok" };
  }
}
