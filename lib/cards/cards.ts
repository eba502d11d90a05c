// Cards and coupons (卡券) for the account's staff: logos sent to media/uploadimg (checked by content,
// kept here for the preview, once per content), cards made with card/create and kept pending review, the
// list, a card's page (stock, what its codes became, a chart per day from its pushes), stock changed with
// modifystock (never below zero), deleted on WeChat then here, re-read from card/get, and QR_CARD codes
// optionally tied to a channel QR code. The counter (redeem.ts), the person's side (mine.ts) and the
// pushes (events.ts) are beside this file.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import {
  CARD_COLORS,
  CARD_ERRCODES,
  CARD_TYPE_LABELS,
  CardRefusedError,
  checkLogo,
  isOuterStr,
  parseCardDraft,
  QR_CARD_EXPIRE_MAX,
  QR_CARD_EXPIRE_MIN,
  type CardDraft,
  type CardInfo,
  type CardType,
  type WeChatCards,
} from "@/lib/wechat/card";
import { WeChatApiError } from "@/lib/wechat/errors";
import { parseXmlFields } from "@/lib/wechat/message-xml";
import { beijingDay, dailySeries, REVIEW_LABELS, isReviewStatus, type CardDay, type ReviewStatus } from "./model";

export interface CardDeps {
  readonly db: Db;
  /** WeChat's card API on the app's CgiClient (services.cgi). */
  readonly wechat: WeChatCards;
  readonly appId: string;
  readonly now: () => Date;
  /** The cards' api_ticket (getticket type=wx_card) from the central token service. */
  readonly cardTicket: () => Promise<{ readonly value: string }>;
  readonly randomBytes: (n: number) => Uint8Array;
}

export type CardRow = Awaited<ReturnType<Db["card"]["findFirstOrThrow"]>>;

// ---- logos ----

export interface CardLogoView {
  readonly id: string;
  /** WeChat's address (shown only inside WeChat): what card/create gets. */
  readonly url: string;
  readonly contentType: string;
  readonly size: number;
  /** Our copy, for the console's preview: GET /api/admin/card-logos/<id>. */
  readonly previewUrl: string;
}

const logoView = (row: { id: string; url: string; contentType: string; data: Uint8Array }): CardLogoView => ({
  id: row.id,
  url: row.url,
  contentType: row.contentType,
  size: row.data.length,
  previewUrl: `/api/admin/card-logos/${row.id}`,
});

/**
 * Sends a logo to media/uploadimg and keeps it. Judged by its bytes (JPG or PNG, at most 1 MB) before
 * anything is sent; the same bytes uploaded again answer the logo already kept, without calling WeChat.
 */
export async function uploadCardLogo(deps: CardDeps, data: Uint8Array, staff: string): Promise<CardLogoView> {
  const check = checkLogo(data);
  if (!check.ok)
    throw new CardRefusedError("/cgi-bin/media/uploadimg", [
      { field: "logo", message: check.message, errcode: check.errcode },
    ]);
  const hash = createHash("sha256").update(data).digest("hex");
  const where = { appId_sha256: { appId: deps.appId, sha256: hash } };
  const kept = await deps.db.cardLogo.findUnique({ where });
  if (kept) return logoView(kept);
  const { url } = await deps.wechat.uploadLogo(data);
  try {
    const row = await deps.db.cardLogo.create({
      data: {
        appId: deps.appId,
        url,
        contentType: check.contentType,
        data: new Uint8Array(data),
        sha256: hash,
        createdAt: deps.now(),
        createdBy: staff,
      },
    });
    return logoView(row);
  } catch (error) {
    // The same picture uploaded twice at once: the first one kept wins.
    if (!isUniqueViolation(error)) throw error;
    return logoView(await deps.db.cardLogo.findUniqueOrThrow({ where }));
  }
}

/** Our copy of a logo's bytes. */
export async function readCardLogo(
  deps: Pick<CardDeps, "db" | "appId">,
  id: string,
): Promise<{ contentType: string; data: Uint8Array }> {
  const row = await deps.db.cardLogo.findFirst({
    where: { id, appId: deps.appId },
    select: { contentType: true, data: true },
  });
  if (!row) throw new AppError("card_logo_not_found");
  return row;
}

// ---- cards ----

export interface CardView {
  readonly id: string;
  /** WeChat's card_id: what wx.addCard and the codes name. */
  readonly wxCardId: string;
  readonly type: CardType;
  readonly typeLabel: string;
  readonly title: string;
  readonly brandName: string;
  readonly color: string;
  /** The colour's look ("#63b359"). */
  readonly colorHex: string | null;
  readonly logoId: string | null;
  /** Our copy of the logo, for a preview; null without one. */
  readonly logoPreviewUrl: string | null;
  readonly review: {
    readonly status: ReviewStatus;
    readonly label: string;
    readonly refuseReason: string | null;
    readonly reviewedAt: string | null;
  };
  /** Stock left. */
  readonly quantity: number;
  /** Stock ever put in. */
  readonly totalQuantity: number;
  readonly getLimit: number;
  readonly deleted: boolean;
  readonly deletedAt: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  /** Our H5 page that offers the card (wx.addCard). */
  readonly offerPath: string;
  /** What was sent to card/create (camelCase, lib/wechat/card's CardDraft). */
  readonly draft: CardDraft;
}

/** What a card's codes became: one row per code, counted by state. */
export interface CardCounts {
  /** codes taken from the stock (not received from a friend) */
  readonly taken: number;
  /** codes received as a friend's gift */
  readonly received: number;
  /** still usable (as far as we know) */
  readonly usable: number;
  readonly redeemed: number;
  readonly deleted: number;
  readonly gifted: number;
  readonly expired: number;
}

export interface CardSummary extends CardView {
  readonly counts: CardCounts;
}

export interface CardPage {
  readonly card: CardView;
  readonly counts: CardCounts & {
    /** user_view_card pushes, each counted once */
    readonly views: number;
  };
  /** Pushes per Beijing day over the last `DAILY_DAYS` days, oldest first; days without any are left out. */
  readonly daily: readonly CardDay[];
}

export const DAILY_DAYS = 90;

export function cardView(row: CardRow): CardView {
  const draft = JSON.parse(row.draft) as CardDraft;
  const status: ReviewStatus = isReviewStatus(row.reviewStatus) ? row.reviewStatus : "NOT_VERIFY";
  return {
    id: row.id,
    wxCardId: row.wxCardId,
    type: row.type as CardType,
    typeLabel: CARD_TYPE_LABELS[row.type as CardType] ?? row.type,
    title: row.title,
    brandName: row.brandName,
    color: draft.color,
    colorHex: (CARD_COLORS as Record<string, string>)[draft.color] ?? null,
    logoId: row.logoId,
    logoPreviewUrl: row.logoId ? `/api/admin/card-logos/${row.logoId}` : null,
    review: {
      status,
      label: REVIEW_LABELS[status],
      refuseReason: row.refuseReason,
      reviewedAt: row.reviewedAt?.toISOString() ?? null,
    },
    quantity: row.quantity,
    totalQuantity: row.totalQuantity,
    getLimit: row.getLimit,
    deleted: row.deletedAt !== null,
    deletedAt: row.deletedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    offerPath: `/cards/${row.id}`,
    draft,
  };
}

export const cardIdParams = z.object({ id: z.string().min(1).max(64) });

/**
 * POST /api/admin/cards: the draft (lib/wechat/card's camelCase CardDraft; its rules are checked here,
 * each problem on its field) with `logoId`, a logo from POST /api/admin/card-logos, instead of logoUrl.
 */
export const createCardBody = z.looseObject({ logoId: z.string().max(64).optional() });

/**
 * card/create for a checked draft, then the card kept pending review. Every problem is refused before
 * calling (CardRefusedError: 422 with the problems on their fields), a logo not uploaded here among them.
 */
export async function createCard(deps: CardDeps, input: Record<string, unknown>, staff: string): Promise<CardView> {
  const { db, appId } = deps;
  const { logoId, ...fields } = input;
  const logo =
    typeof logoId === "string" && logoId !== ""
      ? await db.cardLogo.findFirst({ where: { id: logoId, appId }, select: { id: true, url: true } })
      : null;
  const nowMs = deps.now().getTime();
  const parsed = parseCardDraft({ ...fields, logoUrl: logo?.url }, nowMs);
  if (!parsed.ok) throw new CardRefusedError("/card/create", parsed.problems);
  const draft = parsed.draft;
  const { cardId } = await deps.wechat.create(draft, nowMs);
  const now = deps.now();
  let row: CardRow;
  try {
    row = await db.card.create({
      data: {
        appId,
        wxCardId: cardId,
        type: draft.type,
        title: draft.title,
        brandName: draft.brandName,
        draft: JSON.stringify(draft),
        logoId: logo?.id ?? null,
        quantity: draft.quantity,
        totalQuantity: draft.quantity,
        getLimit: draft.getLimit,
        createdAt: now,
        createdBy: staff,
        updatedAt: now,
      },
    });
  } catch (error) {
    // The card exists on WeChat: say which, so that an operator can find it (card/batchget lists it).
    log.error("card_create_not_kept", { cardId, cause: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  return cardView(await catchUpReview(db, row));
}

/**
 * A review push that arrived between card/create's answer and our row (CardEvent keeps every card push,
 * ours or not): applied now, so the card does not wait for a review that already came.
 */
async function catchUpReview(db: Db, row: CardRow): Promise<CardRow> {
  const review = await db.cardEvent.findFirst({
    where: { appId: row.appId, wxCardId: row.wxCardId, event: { in: ["card_pass_check", "card_not_pass_check"] } },
    orderBy: { createdAt: "desc" },
  });
  if (!review) return row;
  const pushed = await db.weChatEvent.findUnique({ where: { dedupeKey: review.dedupeKey }, select: { payload: true } });
  const reason = pushed ? (parseXmlFields(pushed.payload).RefuseReason ?? null) : null;
  return db.card.update({
    where: { id: row.id },
    data: {
      reviewStatus: review.event === "card_pass_check" ? "VERIFY_OK" : "VERIFY_FAIL",
      refuseReason: review.event === "card_pass_check" ? null : reason,
      reviewedAt: review.createdAt,
    },
  });
}

/** Our card by its id (or WeChat's card_id); 404 card_not_found otherwise. */
export async function findCard(deps: Pick<CardDeps, "db" | "appId">, id: string): Promise<CardRow> {
  const row = await deps.db.card.findFirst({
    where: { appId: deps.appId, OR: [{ id }, { wxCardId: id }] },
  });
  if (!row) throw new AppError("card_not_found");
  return row;
}

const NO_COUNTS: CardCounts = { taken: 0, received: 0, usable: 0, redeemed: 0, deleted: 0, gifted: 0, expired: 0 };

/** The codes of these cards counted by state: one GROUP BY on (cardId, state). */
async function countsOf(db: Db, cardIds: string[]): Promise<Map<string, CardCounts>> {
  const out = new Map<string, { -readonly [K in keyof CardCounts]: number }>();
  if (cardIds.length === 0) return out;
  const groups = await db.cardCode.groupBy({
    by: ["cardId", "state", "fromFriend"],
    where: { cardId: { in: cardIds } },
    _count: { _all: true },
  });
  for (const g of groups) {
    let c = out.get(g.cardId);
    if (!c) out.set(g.cardId, (c = { ...NO_COUNTS }));
    const n = g._count._all;
    if (g.fromFriend) c.received += n;
    else c.taken += n;
    if (g.state === "NORMAL") c.usable += n;
    else if (g.state === "CONSUMED") c.redeemed += n;
    else if (g.state === "DELETED") c.deleted += n;
    else if (g.state === "GIFTED") c.gifted += n;
    else if (g.state === "EXPIRED") c.expired += n;
  }
  return out;
}

/** The account's cards, newest first, each with its counts. */
export async function listCards(deps: Pick<CardDeps, "db" | "appId">): Promise<CardSummary[]> {
  const rows = await deps.db.card.findMany({ where: { appId: deps.appId }, orderBy: { createdAt: "desc" }, take: 500 });
  const counts = await countsOf(
    deps.db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({ ...cardView(row), counts: counts.get(row.id) ?? NO_COUNTS }));
}

/** A card's page: the card, its counts, and its pushes per day. Read from our records only. */
export async function cardPage(deps: Pick<CardDeps, "db" | "appId" | "now">, id: string): Promise<CardPage> {
  const row = await findCard(deps, id);
  const { db } = deps;
  const since = beijingDay(new Date(deps.now().getTime() - (DAILY_DAYS - 1) * 86_400_000));
  const [counts, views, days] = await Promise.all([
    countsOf(db, [row.id]),
    db.cardEvent.count({ where: { appId: row.appId, wxCardId: row.wxCardId, event: "user_view_card" } }),
    db.cardEvent.groupBy({
      by: ["day", "event"],
      where: { appId: row.appId, wxCardId: row.wxCardId, day: { gte: since } },
      _count: { _all: true },
    }),
  ]);
  return {
    card: cardView(row),
    counts: { ...(counts.get(row.id) ?? NO_COUNTS), views },
    daily: dailySeries(days.map((d) => ({ day: d.day, event: d.event, count: d._count._all }))),
  };
}

/** card/get's status in our terms, or null when it says nothing about the review (DELETE). */
function reviewOf(info: CardInfo): ReviewStatus | null {
  switch (info.status) {
    case "CARD_STATUS_VERIFY_OK":
    case "CARD_STATUS_DISPATCH":
      return "VERIFY_OK";
    case "CARD_STATUS_VERIFY_FAIL":
      return "VERIFY_FAIL";
    case "CARD_STATUS_NOT_VERIFY":
      return "NOT_VERIFY";
    default:
      return null;
  }
}

/**
 * PATCH /api/admin/cards/<id> {"sync": true}: the card read again from WeChat (card/get): the review
 * when its push was missed, the stock as WeChat counts it (takes included), get_limit, a deletion.
 */
export const patchCardBody = z.object({ sync: z.literal(true) }).strict();

export async function syncCard(deps: CardDeps, id: string): Promise<CardView> {
  const row = await findCard(deps, id);
  const info = await deps.wechat.get(row.wxCardId);
  const review = reviewOf(info);
  const now = deps.now();
  const updated = await deps.db.card.update({
    where: { id: row.id },
    data: {
      quantity: info.quantity,
      ...(info.totalQuantity !== null ? { totalQuantity: info.totalQuantity } : {}),
      ...(info.getLimit !== null ? { getLimit: info.getLimit } : {}),
      ...(review && review !== row.reviewStatus
        ? { reviewStatus: review, ...(review === "VERIFY_OK" ? { refuseReason: null } : {}) }
        : {}),
      ...(info.status === "CARD_STATUS_DELETE" && !row.deletedAt ? { deletedAt: now } : {}),
      updatedAt: now,
    },
  });
  return cardView(updated);
}

/** POST /api/admin/cards/<id>/stock: `delta` > 0 adds stock, < 0 removes it. */
export const stockBody = z.object({ delta: z.number().int() }).strict();

/**
 * card/modifystock. Stock never goes below zero: a reduction larger than the stock we know is refused
 * before calling (WeChat refuses the same with 40122, and does when takes made its stock smaller than
 * ours). Then our stock moves by the same amount, atomically beside the takes, and is read again from
 * card/get when WeChat answers.
 */
export async function modifyStock(deps: CardDeps, id: string, delta: number): Promise<CardView> {
  const row = await findCard(deps, id);
  if (row.deletedAt) throw new AppError("card_deleted");
  if (delta < 0 && row.quantity + delta < 0)
    throw new CardRefusedError("/card/modifystock", [
      {
        field: "delta",
        message: `库存只剩 ${row.quantity} 张，最多减少 ${row.quantity} 张（库存不能小于 0）。`,
        errcode: CARD_ERRCODES.invalidQuantity,
      },
    ]);
  await deps.wechat.modifyStock(row.wxCardId, delta);
  const now = deps.now();
  await deps.db.card.update({
    where: { id: row.id },
    data: {
      quantity: { increment: delta },
      ...(delta > 0 ? { totalQuantity: { increment: delta } } : {}),
      updatedAt: now,
    },
  });
  try {
    return await syncCard(deps, row.id);
  } catch (error) {
    log.warn("card_sync_failed", {
      cardId: row.wxCardId,
      cause: error instanceof Error ? error.message : String(error),
    });
    return cardView(await findCard(deps, row.id));
  }
}

/**
 * card/delete, then ours: nobody can take it any more and its codes stop working. Deleting again, or a
 * card WeChat no longer knows (40073), just records the deletion.
 */
export async function deleteCard(deps: CardDeps, id: string): Promise<CardView> {
  const row = await findCard(deps, id);
  if (row.deletedAt) return cardView(row);
  try {
    await deps.wechat.delete(row.wxCardId);
  } catch (error) {
    if (!(error instanceof WeChatApiError && error.errcode === CARD_ERRCODES.invalidCardId)) throw error;
  }
  const now = deps.now();
  const updated = await deps.db.card.update({ where: { id: row.id }, data: { deletedAt: now, updatedAt: now } });
  return cardView(updated);
}

/**
 * POST /api/admin/cards/<id>/qrcode: optionally tied to a channel, by a channel QR code of ours
 * (`qrCodeId`: its scene becomes the outer_str) or an `outerStr` of its own; `expireSeconds` 60–1800,
 * else a year.
 */
export const cardQrBody = z
  .object({
    qrCodeId: z.string().min(1).max(64).optional(),
    outerStr: z.string().max(256).optional(),
    expireSeconds: z.number().int().optional(),
  })
  .strict();
export type CardQrInput = z.output<typeof cardQrBody>;

export interface CardQrView {
  readonly ticket: string;
  /** What the code encodes: we draw it from this. */
  readonly url: string;
  readonly showQrcodeUrl: string | null;
  readonly expireSeconds: number | null;
  readonly expiresAt: string | null;
  readonly outerStr: string | null;
  /** The channel QR code it is tied to. */
  readonly channel: { readonly id: string; readonly name: string; readonly scene: string } | null;
}

/** card/qrcode/create (QR_CARD) for an approved card not deleted; the image is drawn by the route. */
export async function createCardQrCode(deps: CardDeps, id: string, input: CardQrInput): Promise<CardQrView> {
  const row = await findCard(deps, id);
  if (row.deletedAt) throw new AppError("card_deleted");
  if (row.reviewStatus !== "VERIFY_OK") throw new AppError("card_not_approved");
  let channel: CardQrView["channel"] = null;
  let outerStr = input.outerStr || undefined;
  if (input.qrCodeId !== undefined) {
    const qr = await deps.db.qrCode.findFirst({
      where: { id: input.qrCodeId, appId: deps.appId },
      select: { id: true, name: true, scene: true },
    });
    if (!qr) throw new AppError("qrcode_not_found");
    if (outerStr !== undefined && outerStr !== qr.scene)
      throw new CardRefusedError("/card/qrcode/create", [
        { field: "outerStr", message: "选择了渠道二维码时，渠道标识就是它的场景值，不必另填。", errcode: 40097 },
      ]);
    if (!isOuterStr(qr.scene))
      throw new CardRefusedError("/card/qrcode/create", [
        {
          field: "qrCodeId",
          message: "这个渠道二维码的场景值含有字母、数字、_ 和 - 以外的字符，不能作为卡券的渠道标识。",
          errcode: 40097,
        },
      ]);
    channel = qr;
    outerStr = qr.scene;
  }
  const made = await deps.wechat.createQrCode({ cardId: row.wxCardId, outerStr, expireSeconds: input.expireSeconds });
  const seconds = made.expireSeconds ?? input.expireSeconds ?? null;
  return {
    ...made,
    expireSeconds: seconds,
    expiresAt: seconds === null ? null : new Date(deps.now().getTime() + seconds * 1000).toISOString(),
    outerStr: outerStr ?? null,
    channel,
  };
}

export { QR_CARD_EXPIRE_MAX, QR_CARD_EXPIRE_MIN };
