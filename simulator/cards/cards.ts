/**
 * Cards and coupons (卡券), as strict as WeChat: the logo upload (cgi-bin/media/uploadimg), card/create
 * with its rules and a review that passes or fails after a delay on the simulator clock (or when a
 * control decides), pushing card_pass_check / card_not_pass_check; card/get, batchget, modifystock
 * (never below zero), delete, card/qrcode/create (QR_CARD), card/code/get and card/code/consume with
 * their states and errcodes, card/user/getcardlist.
 *
 * The people's side is controls: a persona takes a card (through a QR code, a cardExt as wx.addCard
 * would check it, or plainly), pushing user_get_card with a new code; and views it, gives it to a friend,
 * deletes it, or has it consumed at a counter with WeChat's own helper, each pushing its event.
 *
 * A consume is decided synchronously between reading a code's state and writing it (no await between):
 * of two consumes at once exactly one succeeds, the other gets 40099.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { SimulatorInputError, wxError, type ApiBody } from "../errors";
import type { BasicTokens } from "../cgi/basic-token";
import type { Followers } from "../cgi/followers";
import type { CgiRoutes } from "../cgi/guard";
import type { JsapiTickets } from "../cgi/ticket";
import { control, upstream, type ControlInput, type Route } from "../http/router";
import type { MessagePusher, PushInput, PushReport } from "../push";
import type { SimCore, Surface } from "../surface";
import { MAX_QUANTITY, TYPE_KEYS, checkCreate, checkImage, type CardDate, type SimCardType } from "./rules";

export type SimCardStatus =
  "CARD_STATUS_NOT_VERIFY" | "CARD_STATUS_VERIFY_FAIL" | "CARD_STATUS_VERIFY_OK" | "CARD_STATUS_DELETE";

export interface SimCard {
  readonly cardId: string;
  readonly type: SimCardType;
  /** The type's object as created (base_info and the type's own fields). */
  readonly detail: Record<string, unknown>;
  status: SimCardStatus;
  /** Stock left, and stock ever put in. */
  quantity: number;
  totalQuantity: number;
  readonly getLimit: number;
  readonly canGiveFriend: boolean;
  readonly date: CardDate;
  readonly createdAt: number;
  updatedAt: number;
  /** ms on the simulator clock when the automatic review decides; null once decided or when manual. */
  reviewAt: number | null;
  refuseReason: string | null;
}

export type SimCodeStatus = "NORMAL" | "CONSUMED" | "DELETE" | "GIFTING" | "GIFT_SUCC" | "UNAVAILABLE";

export interface SimCode {
  readonly code: string;
  readonly cardId: string;
  readonly openid: string;
  status: SimCodeStatus;
  /** seconds */
  readonly beginTime: number;
  readonly endTime: number;
  readonly takenAt: number;
  readonly outerStr: string | null;
  consumedAt: number | null;
  consumeSource: string | null;
}

export interface SimCardQr {
  readonly ticket: string;
  readonly url: string;
  readonly cardId: string;
  readonly outerStr: string | null;
  /** ms; a year when no expire_seconds was asked */
  readonly expiresAt: number;
}

export interface ReviewMode {
  /** auto: decided `delaySeconds` after creation on the simulator clock; manual: only by decide(). */
  readonly mode: "auto" | "manual";
  readonly delaySeconds: number;
  readonly outcome: "pass" | "fail";
  readonly refuseReason: string;
}

/** How a push reaches the app: its mode, and the endpoint and keys when not the pusher's. */
export type CardPushVia = Partial<Pick<PushInput, "mode" | "target" | "token" | "encodingAesKey">>;

/** A persona's attempt to take a card: the new code, or why WeChat refused (what its page would say). */
export type TakeResult =
  | { readonly ok: true; readonly code: string; readonly cardId: string; readonly report: PushReport | null }
  | { readonly ok: false; readonly errcode: number; readonly reason: string };

/** What the wx.addCard stand-in answers, like the JS-SDK's callback. */
export interface AddCardResult {
  readonly errMsg: "addCard:ok" | "addCard:fail";
  readonly cardList: readonly {
    readonly cardId: string;
    readonly isSuccess: boolean;
    readonly code?: string;
    readonly errcode?: number;
    readonly reason?: string;
  }[];
}

export const DEFAULT_REVIEW: ReviewMode = Object.freeze({
  mode: "auto",
  delaySeconds: 5,
  outcome: "pass",
  refuseReason: "卡券信息不符合规范",
});
/** How far a cardExt's timestamp may be from the simulator clock (our reading: WeChat states none). */
export const CARD_EXT_WINDOW_SECONDS = 300;
const QR_MIN = 60;
const QR_MAX = 1800;
const QR_DEFAULT_SECONDS = 365 * 86_400;
const DAY = 86_400;

const str = (v: unknown, name: string): string => {
  if (typeof v !== "string" || v === "") throw new SimulatorInputError(`${name} must be a non-empty string`);
  return v;
};

export class Cards implements Surface {
  private logos = new Map<string, { kind: "png" | "jpg"; bytes: number; sha256: string }>();
  private cards = new Map<string, SimCard>();
  private codes = new Map<string, SimCode>();
  private qrs = new Map<string, SimCardQr>();
  /** cardExt signatures already used: WeChat refuses a replayed one. */
  private usedExt = new Set<string>();
  private review: ReviewMode = DEFAULT_REVIEW;
  private readonly inFlight = new Set<Promise<unknown>>();
  private pushes: { event: string; cardId: string; code: string | null; ok: boolean }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly core: SimCore,
    private readonly tokens: BasicTokens,
    private readonly tickets: JsapiTickets,
    private readonly followers: Followers,
    private readonly pusher: MessagePusher,
  ) {
    // The CLI's clock is real time: reviews come due by themselves. A frozen clock moves by advance(),
    // after which tests call reviewDue() (which also waits for a review this timer started).
    this.timer = setInterval(() => void this.reviewDue(), 250);
    this.timer.unref();
  }

  reset(): void {
    this.logos.clear();
    this.cards.clear();
    this.codes.clear();
    this.qrs.clear();
    this.usedExt.clear();
    this.review = DEFAULT_REVIEW;
    this.pushes = [];
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  // ---- what tests read ----

  card(cardId: string): SimCard | undefined {
    return this.cards.get(cardId);
  }

  list(): SimCard[] {
    return [...this.cards.values()];
  }

  code(code: string): SimCode | undefined {
    return this.codes.get(code);
  }

  codesOf(filter: { openid?: string; cardId?: string } = {}): SimCode[] {
    return [...this.codes.values()].filter(
      (c) => (!filter.openid || c.openid === filter.openid) && (!filter.cardId || c.cardId === filter.cardId),
    );
  }

  /** Card pushes made so far (event, card, code, whether the app took it). */
  pushed(): readonly { event: string; cardId: string; code: string | null; ok: boolean }[] {
    return [...this.pushes];
  }

  /** Waits for every card push in flight (consume and review pushes are not awaited by the API answer). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  logoKnown(url: string): boolean {
    return this.logos.has(url);
  }

  // ---- review ----

  setReview(mode: Partial<ReviewMode>): ReviewMode {
    const next = { ...this.review, ...mode };
    if (next.mode !== "auto" && next.mode !== "manual") throw new SimulatorInputError("mode must be auto or manual");
    if (!Number.isInteger(next.delaySeconds) || next.delaySeconds < 0)
      throw new SimulatorInputError("delaySeconds must be an integer >= 0");
    if (next.outcome !== "pass" && next.outcome !== "fail")
      throw new SimulatorInputError("outcome must be pass or fail");
    if (typeof next.refuseReason !== "string" || next.refuseReason === "")
      throw new SimulatorInputError("refuseReason must be a non-empty string");
    this.review = Object.freeze(next);
    // Cards waiting keep their schedule in auto mode; manual mode holds every undecided card.
    for (const card of this.cards.values())
      if (card.status === "CARD_STATUS_NOT_VERIFY")
        card.reviewAt = next.mode === "auto" ? (card.reviewAt ?? this.core.now() + next.delaySeconds * 1000) : null;
    return this.review;
  }

  /** Decides every automatic review whose time has come; resolves once their pushes were answered. */
  async reviewDue(): Promise<number> {
    const now = this.core.now();
    let decided = 0;
    for (const card of this.cards.values()) {
      if (card.status !== "CARD_STATUS_NOT_VERIFY" || card.reviewAt === null || card.reviewAt > now) continue;
      this.decideNow(card, this.review.outcome === "pass", this.review.refuseReason);
      decided++;
    }
    await this.settle();
    return decided;
  }

  /** The reviewer decides one card now (whatever the mode); resolves once the push was answered. */
  async decide(cardId: string, pass: boolean, refuseReason?: string): Promise<SimCard> {
    const card = this.cards.get(cardId);
    if (!card) throw new SimulatorInputError(`no card ${cardId}`);
    if (card.status !== "CARD_STATUS_NOT_VERIFY")
      throw new SimulatorInputError(`card ${cardId} is not waiting for review`);
    this.decideNow(card, pass, refuseReason ?? this.review.refuseReason);
    await this.settle();
    return card;
  }

  private decideNow(card: SimCard, pass: boolean, refuseReason: string): void {
    card.reviewAt = null;
    card.status = pass ? "CARD_STATUS_VERIFY_OK" : "CARD_STATUS_VERIFY_FAIL";
    card.refuseReason = pass ? null : refuseReason;
    card.updatedAt = this.core.now();
    // The review's push comes from WeChat, not from a person: FromUserName is the account itself.
    this.track(
      this.send(
        pass
          ? { type: "card_pass_check", openid: this.pusher.account, fields: [["CardId", card.cardId]] }
          : {
              type: "card_not_pass_check",
              openid: this.pusher.account,
              fields: [
                ["CardId", card.cardId],
                ["RefuseReason", refuseReason],
              ],
            },
        card.cardId,
        null,
      ),
    );
  }

  // ---- a persona's side ----

  /**
   * A persona takes a card: plainly by `cardId`, or by scanning a QR_CARD `ticket` (its outer_str comes
   * back as OuterStr). WeChat refuses a card not approved or deleted (40078), expired (40079), out of
   * stock (45031), or one this person already took get_limit times (45033).
   */
  async take(input: {
    openid: string;
    cardId?: string;
    ticket?: string;
    outerStr?: string;
    via?: CardPushVia;
  }): Promise<TakeResult> {
    let cardId = input.cardId;
    let outerStr = input.outerStr ?? null;
    if (input.ticket !== undefined) {
      const qr = this.qrs.get(input.ticket);
      if (!qr || qr.expiresAt <= this.core.now()) return { ok: false, errcode: 40056, reason: "二维码已失效" };
      cardId = qr.cardId;
      outerStr = qr.outerStr;
    }
    if (cardId === undefined) throw new SimulatorInputError("cardId or ticket is required");
    const refused = this.takeRefusal(input.openid, cardId);
    if (refused) return refused;
    const code = this.issue(input.openid, cardId, outerStr);
    const report = await this.pushGet(code, input.via);
    return { ok: true, code: code.code, cardId, report };
  }

  /**
   * The wx.addCard stand-in: checks each cardExt as WeChat would (its JSON; code and openid only where
   * the card has custom codes or a bound openid, which ours never have; timestamp within
   * CARD_EXT_WINDOW_SECONDS of the clock; a signature not used before; the signature over the sorted
   * values with a wx_card ticket valid now), then the take rules; all or nothing.
   */
  async addCard(input: {
    openid: string;
    cardList: readonly { cardId: string; cardExt: string }[];
    via?: CardPushVia;
  }): Promise<AddCardResult> {
    if (!Array.isArray(input.cardList) || input.cardList.length === 0)
      throw new SimulatorInputError("cardList must be a non-empty array");
    const checked = input.cardList.map((entry) => ({
      entry,
      ...this.checkCardExt(input.openid, entry.cardId, entry.cardExt),
    }));
    if (checked.some((c) => !c.ok))
      return {
        errMsg: "addCard:fail",
        cardList: checked.map((c) =>
          c.ok
            ? { cardId: c.entry.cardId, isSuccess: false }
            : { cardId: c.entry.cardId, isSuccess: false, errcode: c.errcode, reason: c.reason },
        ),
      };
    const list = [];
    for (const c of checked) {
      if (!c.ok) continue;
      this.usedExt.add(c.signature);
      const code = this.issue(input.openid, c.entry.cardId, c.outerStr);
      await this.pushGet(code, input.via);
      list.push({ cardId: c.entry.cardId, isSuccess: true, code: code.code });
    }
    return { errMsg: "addCard:ok", cardList: list };
  }

  /** WeChat's check of one cardExt (see addCard), without taking anything. */
  checkCardExt(
    openid: string,
    cardId: string,
    cardExt: string,
  ): { ok: true; signature: string; outerStr: string | null } | { ok: false; errcode: number; reason: string } {
    const bad = (reason: string, errcode = 40080) => ({ ok: false as const, errcode, reason });
    let ext: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(cardExt);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        return bad("cardExt is not a JSON object");
      ext = parsed as Record<string, unknown>;
    } catch {
      return bad("cardExt is not JSON");
    }
    const text = (key: string) =>
      ext[key] === undefined ? "" : typeof ext[key] === "string" ? (ext[key] as string) : null;
    const [timestamp, nonce, signature, code, extOpenid, outer] = [
      text("timestamp"),
      text("nonce_str"),
      text("signature"),
      text("code"),
      text("openid"),
      text("outer_str"),
    ];
    if (
      timestamp === null ||
      nonce === null ||
      signature === null ||
      code === null ||
      extOpenid === null ||
      outer === null
    )
      return bad("cardExt values must be strings");
    if (!/^\d{1,10}$/.test(timestamp) || signature === "") return bad("timestamp and signature are required");
    if (code !== "") return bad("code is only for cards with custom codes");
    if (extOpenid !== "") return bad("openid is only for cards bound to an openid");
    if (Math.abs(Number(timestamp) - Math.floor(this.core.now() / 1000)) > CARD_EXT_WINDOW_SECONDS)
      return bad(`timestamp is more than ${CARD_EXT_WINDOW_SECONDS} s from now`);
    if (this.usedExt.has(signature.toLowerCase())) return bad("this cardExt was used already");
    const signed = this.tickets.validTickets("wx_card").some((ticket) => {
      const values = [ticket, timestamp, cardId, code, extOpenid, nonce].sort();
      const expected = Buffer.from(createHash("sha1").update(values.join("")).digest("hex"));
      const given = Buffer.from(signature.toLowerCase());
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!signed) return bad("signature does not match a valid wx_card ticket");
    const refused = this.takeRefusal(openid, cardId);
    if (refused) return refused;
    return { ok: true, signature: signature.toLowerCase(), outerStr: outer === "" ? null : outer };
  }

  /** A persona opens the card in their card pack. */
  view(code: string, via?: CardPushVia): Promise<PushReport> {
    const c = this.requireCode(code);
    return this.send(this.eventOf("user_view_card", c, [["OuterStr", c.outerStr ?? ""]], via), c.cardId, c.code);
  }

  /** A persona deletes the card from their card pack: the code can no longer be used. */
  deleteByUser(code: string, via?: CardPushVia): Promise<PushReport> {
    const c = this.requireCode(code);
    if (c.status !== "NORMAL") throw new SimulatorInputError(`code ${code} is ${c.status}`);
    c.status = "DELETE";
    return this.send(this.eventOf("user_del_card", c, [], via), c.cardId, c.code);
  }

  /**
   * A persona gives the card to a friend, who takes it: user_gifting_card for the giver, then
   * user_get_card for the friend with a new code (IsGiveByFriend 1, OldUserCardCode); the old code is gone.
   */
  async gift(code: string, toOpenid: string, via?: CardPushVia): Promise<{ code: string }> {
    const c = this.requireCode(code);
    const card = this.cards.get(c.cardId)!;
    if (!card.canGiveFriend)
      throw new SimulatorInputError("this card cannot be given to a friend (can_give_friend false)");
    if (c.status !== "NORMAL") throw new SimulatorInputError(`code ${code} is ${c.status}`);
    if (this.followers.indexOf(toOpenid) === undefined)
      throw new SimulatorInputError(`${toOpenid} is not one of the simulator's people`);
    c.status = "GIFTING";
    await this.send(
      this.eventOf(
        "user_gifting_card",
        c,
        [
          ["FriendUserName", toOpenid],
          ["IsReturnBack", "0"],
          ["IsChatRoom", "0"],
        ],
        via,
      ),
      c.cardId,
      c.code,
    );
    c.status = "GIFT_SUCC";
    const next: SimCode = { ...c, code: this.newCode(), openid: toOpenid, status: "NORMAL", takenAt: this.core.now() };
    this.codes.set(next.code, next);
    await this.pushGet(next, via, { friend: c.openid, oldCode: c.code });
    return { code: next.code };
  }

  /** A counter consumes the code with WeChat's own helper (not the API): user_consume_card FROM_MOBILE_HELPER. */
  async consumeByHelper(
    code: string,
    via?: CardPushVia,
  ): Promise<{ ok: boolean; errcode?: number; report?: PushReport }> {
    const c = this.codes.get(code);
    const refused = this.consumeRefusal(c, undefined);
    if (refused !== null || !c) return { ok: false, errcode: refused ?? 40056 };
    this.markConsumed(c, "FROM_MOBILE_HELPER");
    return { ok: true, report: await this.pushConsume(c, via) };
  }

  private takeRefusal(openid: string, cardId: string): { ok: false; errcode: number; reason: string } | null {
    if (this.followers.indexOf(openid) === undefined)
      throw new SimulatorInputError(`${openid} is not one of the simulator's people`);
    const card = this.cards.get(cardId);
    if (!card) return { ok: false, errcode: 40073, reason: "卡券不存在" };
    if (card.status !== "CARD_STATUS_VERIFY_OK") return { ok: false, errcode: 40078, reason: "卡券未通过审核或已删除" };
    const now = Math.floor(this.core.now() / 1000);
    if (card.date.end !== null && card.date.end <= now) return { ok: false, errcode: 40079, reason: "卡券已过期" };
    if (card.quantity <= 0) return { ok: false, errcode: 45031, reason: "卡券已领完" };
    if (this.codesOf({ openid, cardId }).filter((c) => c.status !== "GIFT_SUCC").length >= card.getLimit)
      return { ok: false, errcode: 45033, reason: "已达每人限领数量" };
    return null;
  }

  private issue(openid: string, cardId: string, outerStr: string | null): SimCode {
    const card = this.cards.get(cardId)!;
    card.quantity--;
    card.updatedAt = this.core.now();
    const takenAt = this.core.now();
    const s = Math.floor(takenAt / 1000);
    const d = card.date;
    const beginTime = d.type === "DATE_TYPE_FIX_TIME_RANGE" ? d.begin! : s + (d.fixedBeginTerm ?? 0) * DAY;
    const termEnd = beginTime + (d.fixedTerm ?? 0) * DAY;
    const endTime =
      d.type === "DATE_TYPE_FIX_TIME_RANGE" ? d.end! : d.end !== null ? Math.min(d.end, termEnd) : termEnd;
    const code: SimCode = {
      code: this.newCode(),
      cardId,
      openid,
      status: "NORMAL",
      beginTime,
      endTime,
      takenAt,
      outerStr,
      consumedAt: null,
      consumeSource: null,
    };
    this.codes.set(code.code, code);
    return code;
  }

  private newCode(): string {
    for (;;) {
      const code = String(randomBytes(6).readUIntBE(0, 6) % 1_000_000_000_000).padStart(12, "0");
      if (!this.codes.has(code)) return code;
    }
  }

  private pushGet(code: SimCode, via?: CardPushVia, gift?: { friend: string; oldCode: string }): Promise<PushReport> {
    return this.send(
      this.eventOf(
        "user_get_card",
        code,
        [
          ["IsGiveByFriend", gift ? "1" : "0"],
          ["FriendUserName", gift?.friend ?? ""],
          ["OuterStr", code.outerStr ?? ""],
          ["OldUserCardCode", gift?.oldCode ?? ""],
          ["IsRestoreMemberCard", "0"],
        ],
        via,
      ),
      code.cardId,
      code.code,
    );
  }

  private pushConsume(code: SimCode, via?: CardPushVia): Promise<PushReport> {
    return this.send(
      this.eventOf(
        "user_consume_card",
        code,
        [
          ["ConsumeSource", code.consumeSource ?? "FROM_API"],
          ["OuterStr", code.outerStr ?? ""],
        ],
        via,
      ),
      code.cardId,
      code.code,
    );
  }

  /** CardId, then UserCardCode, then the event's own fields, as WeChat orders them. */
  private eventOf(type: PushInput["type"], code: SimCode, extra: [string, string][], via?: CardPushVia): PushInput {
    return {
      ...via,
      type,
      openid: code.openid,
      fields: [["CardId", code.cardId], ["UserCardCode", code.code], ...extra],
    };
  }

  /** One card push; the outcome is recorded, never thrown (the app's endpoint may be down). */
  private send(input: PushInput, cardId: string, code: string | null): Promise<PushReport> {
    const done = this.pusher.push(input).then(
      (report) => {
        this.pushes.push({ event: input.type, cardId, code, ok: report.ok });
        return report;
      },
      (error: unknown) => {
        this.pushes.push({ event: input.type, cardId, code, ok: false });
        throw error;
      },
    );
    if (this.pushes.length > 1000) this.pushes.shift();
    return done;
  }

  private track(push: Promise<unknown>): void {
    const p = push.catch(() => undefined);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private requireCode(code: string): SimCode {
    const c = this.codes.get(code);
    if (!c) throw new SimulatorInputError(`no code ${code}`);
    return c;
  }

  /** Why a code cannot be consumed now (40056 unknown or not this card's, 40099 consumed, 40127 not usable, 40079 not yet valid). */
  private consumeRefusal(c: SimCode | undefined, cardId: unknown): number | null {
    if (!c || c.status === "GIFT_SUCC" || (cardId !== undefined && cardId !== c.cardId)) return 40056;
    const status = this.statusOf(c);
    if (status === "CONSUMED") return 40099;
    if (status !== "NORMAL") return 40127;
    if (Math.floor(this.core.now() / 1000) < c.beginTime) return 40079;
    return null;
  }

  private markConsumed(c: SimCode, source: string): void {
    c.status = "CONSUMED";
    c.consumedAt = this.core.now();
    c.consumeSource = source;
  }

  /** A code's state as card/code/get reports it: its own, or EXPIRE past its end, UNAVAILABLE once the card is deleted. */
  statusOf(c: SimCode): SimCodeStatus | "EXPIRE" {
    if (c.status !== "NORMAL") return c.status;
    if (this.cards.get(c.cardId)?.status === "CARD_STATUS_DELETE") return "UNAVAILABLE";
    if (Math.floor(this.core.now() / 1000) >= c.endTime) return "EXPIRE";
    return "NORMAL";
  }

  // ---- WeChat's routes ----

  cgiRoutes(cgi: CgiRoutes): Route[] {
    return [
      upstream("/cgi-bin/media/uploadimg", (req) => {
        const denied = this.tokens.check(req.query.get("access_token"));
        if (denied) return denied;
        if (req.method !== "POST") return this.err(43002);
        const header = req.headers["content-type"];
        const image = checkImage(Array.isArray(header) ? header[0] : header, req.rawBody);
        if (!image.ok) return this.err(image.errcode);
        const url = `http://mmbiz.qpic.cn/mmbiz_${image.value.kind}/${randomBytes(33).toString("base64url")}/0`;
        this.logos.set(url, {
          kind: image.value.kind,
          bytes: image.value.data.length,
          sha256: createHash("sha256").update(image.value.data).digest("hex"),
        });
        return { url };
      }),
      cgi.post("/card/create", (b) => this.create(b)),
      cgi.post("/card/get", (b) => this.get(b)),
      cgi.post("/card/batchget", (b) => this.batchGet(b)),
      cgi.post("/card/modifystock", (b) => this.modifyStock(b)),
      cgi.post("/card/delete", (b) => this.remove(b)),
      cgi.post("/card/qrcode/create", (b) => this.qrCreate(b)),
      cgi.post("/card/code/get", (b) => this.codeGet(b)),
      cgi.post("/card/code/consume", (b) => this.consume(b)),
      cgi.post("/card/user/getcardlist", (b) => this.userCardList(b)),
    ];
  }

  private err(errcode: number): ApiBody {
    return wxError(errcode, this.core.now());
  }

  private ok(extra: ApiBody = {}): ApiBody {
    return { errcode: 0, errmsg: "ok", ...extra };
  }

  private create(body: Record<string, unknown>): ApiBody {
    const now = this.core.now();
    const checked = checkCreate(body, Math.floor(now / 1000), (url) => this.logos.has(url));
    if (!checked.ok) return this.err(checked.errcode);
    const c = checked.value;
    const cardId = `p${randomBytes(20).toString("base64url")}`;
    const card: SimCard = {
      cardId,
      type: c.type,
      detail: structuredClone(c.detail),
      status: "CARD_STATUS_NOT_VERIFY",
      quantity: c.quantity,
      totalQuantity: c.quantity,
      getLimit: c.getLimit,
      canGiveFriend: c.canGiveFriend,
      date: c.date,
      createdAt: now,
      updatedAt: now,
      reviewAt: this.review.mode === "auto" ? now + this.review.delaySeconds * 1000 : null,
      refuseReason: null,
    };
    this.cards.set(cardId, card);
    return this.ok({ card_id: cardId });
  }

  private find(cardId: unknown): { card: SimCard; error?: undefined } | { card?: undefined; error: ApiBody } {
    if (cardId === undefined || cardId === "") return { error: this.err(41012) };
    const card = typeof cardId === "string" ? this.cards.get(cardId) : undefined;
    return card ? { card } : { error: this.err(40073) };
  }

  private get(body: Record<string, unknown>): ApiBody {
    const { card, error } = this.find(body.card_id);
    if (!card) return error;
    const detail = structuredClone(card.detail);
    const base = detail.base_info as Record<string, unknown>;
    const d = card.date;
    Object.assign(base, {
      id: card.cardId,
      status: card.status,
      sku: { quantity: card.quantity, total_quantity: card.totalQuantity },
      get_limit: card.getLimit,
      date_info:
        d.type === "DATE_TYPE_FIX_TIME_RANGE"
          ? { type: d.type, begin_timestamp: d.begin, end_timestamp: d.end }
          : {
              type: d.type,
              fixed_term: d.fixedTerm,
              fixed_begin_term: d.fixedBeginTerm,
              ...(d.end !== null ? { end_timestamp: d.end } : {}),
            },
      create_time: Math.floor(card.createdAt / 1000),
      update_time: Math.floor(card.updatedAt / 1000),
    });
    return this.ok({ card: { card_type: card.type, [TYPE_KEYS[card.type]]: detail } });
  }

  private batchGet(body: Record<string, unknown>): ApiBody {
    const { offset, count, status_list: statusList } = body;
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) return this.err(40097);
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 50) return this.err(40097);
    if (statusList !== undefined && (!Array.isArray(statusList) || statusList.some((s) => typeof s !== "string")))
      return this.err(40097);
    const all = [...this.cards.values()]
      .filter((c) => c.status !== "CARD_STATUS_DELETE" || (statusList as string[] | undefined)?.includes(c.status))
      .filter((c) => !statusList || (statusList as string[]).includes(c.status));
    return this.ok({ card_id_list: all.slice(offset, offset + count).map((c) => c.cardId), total_num: all.length });
  }

  private modifyStock(body: Record<string, unknown>): ApiBody {
    const { card, error } = this.find(body.card_id);
    if (!card) return error;
    if (card.status === "CARD_STATUS_DELETE") return this.err(40078);
    const { increase_stock_value: up = 0, reduce_stock_value: down = 0 } = body;
    const valid = (v: unknown): v is number =>
      typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_QUANTITY;
    if (!valid(up) || !valid(down) || (up === 0 && down === 0)) return this.err(40122);
    // Never below zero: a reduction larger than what is left is refused whole.
    if (card.quantity + up - down < 0) return this.err(40122);
    if (card.totalQuantity + up > MAX_QUANTITY) return this.err(45041);
    card.quantity += up - down;
    card.totalQuantity += up;
    card.updatedAt = this.core.now();
    return this.ok();
  }

  private remove(body: Record<string, unknown>): ApiBody {
    const { card, error } = this.find(body.card_id);
    if (!card) return error;
    if (card.status === "CARD_STATUS_DELETE") return this.err(40073);
    card.status = "CARD_STATUS_DELETE";
    card.reviewAt = null;
    card.updatedAt = this.core.now();
    return this.ok();
  }

  private qrCreate(body: Record<string, unknown>): ApiBody {
    if (body.action_name !== "QR_CARD") return this.err(40097);
    const info = body.action_info as { card?: Record<string, unknown> } | undefined;
    if (typeof info?.card !== "object" || info.card === null) return this.err(41011);
    const { card, error } = this.find(info.card.card_id);
    if (!card) return error;
    if (card.status !== "CARD_STATUS_VERIFY_OK") return this.err(40078);
    const seconds = body.expire_seconds;
    if (
      seconds !== undefined &&
      (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < QR_MIN || seconds > QR_MAX)
    )
      return this.err(40097);
    const outer = info.card.outer_str;
    if (outer !== undefined && (typeof outer !== "string" || outer.length < 1 || outer.length > 128))
      return this.err(40097);
    const ticket = `gQ${randomBytes(36).toString("base64url")}`;
    const qr: SimCardQr = {
      ticket,
      url: `http://weixin.qq.com/q/${randomBytes(16).toString("base64url")}`,
      cardId: card.cardId,
      outerStr: (outer as string | undefined) ?? null,
      expiresAt: this.core.now() + ((seconds as number | undefined) ?? QR_DEFAULT_SECONDS) * 1000,
    };
    this.qrs.set(ticket, qr);
    return this.ok({
      ticket,
      expire_seconds: (seconds as number | undefined) ?? QR_DEFAULT_SECONDS,
      url: qr.url,
      show_qrcode_url: `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`,
    });
  }

  private codeGet(body: Record<string, unknown>): ApiBody {
    if (typeof body.code !== "string" || body.code === "") return this.err(41011);
    const c = this.codes.get(body.code);
    if (!c || c.status === "GIFT_SUCC" || (body.card_id !== undefined && body.card_id !== c.cardId))
      return this.err(40056);
    const status = this.statusOf(c);
    if (body.check_consume === true) {
      if (status === "CONSUMED") return this.err(40099);
      if (status !== "NORMAL") return this.err(40127);
    }
    const begun = Math.floor(this.core.now() / 1000) >= c.beginTime;
    return this.ok({
      card: { card_id: c.cardId, begin_time: c.beginTime, end_time: c.endTime },
      openid: c.openid,
      can_consume: status === "NORMAL" && begun,
      user_card_status: status,
    });
  }

  private consume(body: Record<string, unknown>): ApiBody {
    if (typeof body.code !== "string" || body.code === "") return this.err(41011);
    const c = this.codes.get(body.code);
    // Read and write with nothing in between: two consumes at once cannot both see NORMAL.
    const refused = this.consumeRefusal(c, body.card_id);
    if (refused !== null || !c) return this.err(refused ?? 40056);
    this.markConsumed(c, "FROM_API");
    this.track(this.pushConsume(c));
    return this.ok({ card: { card_id: c.cardId }, openid: c.openid });
  }

  private userCardList(body: Record<string, unknown>): ApiBody {
    const openid = body.openid;
    if (typeof openid !== "string" || this.followers.indexOf(openid) === undefined) return this.err(40003);
    if (body.card_id !== undefined && (typeof body.card_id !== "string" || !this.cards.has(body.card_id)))
      return this.err(40073);
    const list = this.codesOf({ openid, cardId: body.card_id as string | undefined })
      .filter((c) => this.statusOf(c) === "NORMAL")
      .map((c) => ({ code: c.code, card_id: c.cardId }));
    return this.ok({ card_list: list, has_share_card: false });
  }

  // ---- /__sim controls ----

  get controls(): Route[] {
    const via = (input: ControlInput): CardPushVia => {
      const { mode, target, token, encodingAesKey } = input;
      if (mode !== undefined && mode !== "plaintext" && mode !== "compatible" && mode !== "aes")
        throw new SimulatorInputError("mode must be plaintext, compatible or aes");
      for (const [key, value] of Object.entries({ target, token, encodingAesKey }))
        if (value !== undefined && typeof value !== "string") throw new SimulatorInputError(`${key} must be a string`);
      return {
        ...(mode !== undefined ? { mode } : {}),
        ...(target !== undefined ? { target: target as string } : {}),
        ...(token !== undefined ? { token: token as string } : {}),
        ...(encodingAesKey !== undefined ? { encodingAesKey: encodingAesKey as string } : {}),
      };
    };
    const optional = (v: unknown, name: string) => (v === undefined ? undefined : str(v, name));
    return [
      control("GET", "/__sim/cards", () => ({ review: this.review, cards: this.list() })),
      control("GET", "/__sim/cards/codes", (_input, query) =>
        this.codesOf({ openid: query.get("openid") ?? undefined, cardId: query.get("cardId") ?? undefined }).map(
          (c) => ({
            ...c,
            state: this.statusOf(c),
          }),
        ),
      ),
      control("GET", "/__sim/cards/pushes", () => this.pushed()),
      control("POST", "/__sim/cards/review-mode", (input) => this.setReview(input as Partial<ReviewMode>)),
      control("POST", "/__sim/cards/review", async (input) => {
        if (typeof input.pass !== "boolean") throw new SimulatorInputError("pass must be true or false");
        const card = await this.decide(
          str(input.cardId, "cardId"),
          input.pass,
          optional(input.refuseReason, "refuseReason"),
        );
        return { ok: true, cardId: card.cardId, status: card.status };
      }),
      control("POST", "/__sim/cards/review-due", async () => ({ ok: true, decided: await this.reviewDue() })),
      control("POST", "/__sim/cards/take", (input) =>
        this.take({
          openid: str(input.openid, "openid"),
          cardId: optional(input.cardId, "cardId"),
          ticket: optional(input.ticket, "ticket"),
          outerStr: optional(input.outerStr, "outerStr"),
          via: via(input),
        }),
      ),
      control("POST", "/__sim/cards/add-card", (input) => {
        const list = Array.isArray(input.cardList)
          ? (input.cardList as unknown[]).map((e) => {
              const entry = e as Record<string, unknown>;
              return { cardId: str(entry?.cardId, "cardId"), cardExt: str(entry?.cardExt, "cardExt") };
            })
          : [{ cardId: str(input.cardId, "cardId"), cardExt: str(input.cardExt, "cardExt") }];
        return this.addCard({ openid: str(input.openid, "openid"), cardList: list, via: via(input) });
      }),
      control("POST", "/__sim/cards/view", (input) => this.view(str(input.code, "code"), via(input))),
      control("POST", "/__sim/cards/delete", (input) => this.deleteByUser(str(input.code, "code"), via(input))),
      control("POST", "/__sim/cards/gift", (input) =>
        this.gift(str(input.code, "code"), str(input.toOpenid, "toOpenid"), via(input)),
      ),
      control("POST", "/__sim/cards/consume", (input) => this.consumeByHelper(str(input.code, "code"), via(input))),
    ];
  }
}
