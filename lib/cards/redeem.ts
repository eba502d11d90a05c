// Redeeming at the counter (核销): a code typed or scanned is looked up on WeChat (card/code/get with
// check_consume) and joined with our card and our person, then consumed (card/code/consume) once. WeChat
// decides between two counters consuming one code at once: one succeeds, the other gets 40099, told in
// Chinese with who redeemed it and when, as far as our records know yet. A consume is never retried: after
// a lost answer the counter checks again.
import { z } from "zod";
import { avatarUrl } from "@/lib/avatar";
import { AppError } from "@/lib/errors";
import {
  CARD_ERRCODES,
  CARD_TYPE_LABELS,
  normalizeCode,
  type CardType,
  type CodeInfo,
  type UserCardStatus,
} from "@/lib/wechat/card";
import { WeChatApiError } from "@/lib/wechat/errors";
import type { CardDeps, CardRow } from "./cards";
import { moveCode } from "./codes";
import { CODE_STATE_LABELS, codeStateOfWeChat, isCodeState, WECHAT_CODE_STATUS_LABELS, type CodeState } from "./model";

/** POST /api/admin/redeem/check and /consume: the code as staff typed or scanned it. */
export const redeemBody = z.object({ code: z.string().trim().min(1, "请输入券码。").max(128) }).strict();

export interface RedeemCard {
  readonly id: string;
  readonly title: string;
  readonly brandName: string;
  readonly type: CardType;
  readonly typeLabel: string;
  readonly deleted: boolean;
}

export interface RedeemOwner {
  readonly openid: string;
  /** Our person, when we know them. */
  readonly userId: string | null;
  readonly nickname: string | null;
  readonly headimgurl: string | null;
}

export interface RedeemRecord {
  readonly state: CodeState;
  readonly stateLabel: string;
  readonly takenAt: string;
  readonly stateAt: string | null;
  readonly consumedBy: string | null;
}

export interface RedeemCheck {
  readonly code: string;
  readonly wxCardId: string;
  /** Whether it can be consumed now (WeChat's word). */
  readonly canConsume: boolean;
  readonly status: UserCardStatus;
  readonly statusLabel: string;
  /** Why it cannot be used, in Chinese; null when it can. */
  readonly reason: string | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  /** Our card; null for a card of the account not made here. */
  readonly card: RedeemCard | null;
  readonly owner: RedeemOwner;
  /** Our record of the code, after this check. */
  readonly record: RedeemRecord | null;
}

export interface RedeemDone {
  readonly code: string;
  readonly wxCardId: string;
  readonly card: RedeemCard | null;
  readonly owner: RedeemOwner;
  readonly consumedAt: string;
  readonly consumedBy: string;
}

const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());

function redeemCard(row: CardRow | null): RedeemCard | null {
  return row
    ? {
        id: row.id,
        title: row.title,
        brandName: row.brandName,
        type: row.type as CardType,
        typeLabel: CARD_TYPE_LABELS[row.type as CardType] ?? row.type,
        deleted: row.deletedAt !== null,
      }
    : null;
}

async function ownerOf(deps: Pick<CardDeps, "db" | "appId">, openid: string): Promise<RedeemOwner> {
  const identity = await deps.db.identity.findUnique({
    where: { appid_openid: { appid: deps.appId, openid } },
    select: { user: { select: { id: true, nickname: true, headimgurl: true } } },
  });
  const user = identity?.user ?? null;
  return {
    openid,
    userId: user?.id ?? null,
    nickname: user?.nickname ?? null,
    headimgurl: avatarUrl(user?.headimgurl),
  };
}

const ourCard = (deps: Pick<CardDeps, "db" | "appId">, wxCardId: string) =>
  deps.db.card.findFirst({ where: { appId: deps.appId, wxCardId } });

function reasonOf(info: CodeInfo, nowMs: number): string | null {
  if (info.canConsume) return null;
  if (info.status === "NORMAL") {
    if (info.beginTime !== null && nowMs < info.beginTime * 1000) return "这张券还没到可用时间。";
    return "这张券现在不能使用。";
  }
  const texts: Partial<Record<UserCardStatus, string>> = {
    CONSUMED: "这张券已经核销过了，不能再次核销。",
    EXPIRE: "这张券已过期。",
    GIFTING: "这张券正在转赠中，不能核销。",
    GIFT_TIMEOUT: "这张券转赠超时，正在退回，不能核销。",
    GIFT_SUCC: "这张券已转赠给好友，原券码作废。",
    DELETE: "这张券已被用户从卡包删除。",
    UNAVAILABLE: "这张券已失效（卡券已删除）。",
  };
  return texts[info.status] ?? "这张券不可使用。";
}

/**
 * card/code/get with check_consume: a code that can be used answers at once; one that cannot (40099
 * consumed, 40127 deleted, gifting, expired or unavailable) is asked again without check_consume for its
 * state and owner, so the counter sees whose it is and why not. An unknown code is WeChat's 40056 (422).
 * What WeChat says moves our record of the code forward (a push we missed).
 */
export async function checkCode(deps: CardDeps, input: string): Promise<RedeemCheck> {
  const code = normalizeCode(input);
  let info: CodeInfo;
  try {
    info = await deps.wechat.getCode({ code, checkConsume: true });
  } catch (error) {
    const unusable =
      error instanceof WeChatApiError &&
      (error.errcode === CARD_ERRCODES.consumed || error.errcode === CARD_ERRCODES.notUsable);
    if (!unusable) throw error;
    info = await deps.wechat.getCode({ code, checkConsume: false });
  }
  const [card, owner] = await Promise.all([ourCard(deps, info.cardId), ownerOf(deps, info.openid)]);
  let record: RedeemRecord | null = null;
  if (card) {
    const state = codeStateOfWeChat(info.status);
    const now = deps.now();
    if (state) await moveCode(deps.db, { cardId: card.id, code, state, at: now }, now);
    const row = await deps.db.cardCode.findUnique({ where: { cardId_code: { cardId: card.id, code } } });
    if (row && isCodeState(row.state))
      record = {
        state: row.state,
        stateLabel: CODE_STATE_LABELS[row.state],
        takenAt: row.takenAt.toISOString(),
        stateAt: row.stateAt?.toISOString() ?? null,
        consumedBy: row.consumedBy,
      };
  }
  return {
    code,
    wxCardId: info.cardId,
    canConsume: info.canConsume,
    status: info.status,
    statusLabel: WECHAT_CODE_STATUS_LABELS[info.status],
    reason: reasonOf(info, deps.now().getTime()),
    validFrom: iso(info.beginTime),
    validUntil: iso(info.endTime),
    card: redeemCard(card),
    owner,
    record,
  };
}

const BEIJING_MS = 8 * 3600_000;
const beijingMinute = (at: Date) => new Date(at.getTime() + BEIJING_MS).toISOString().slice(0, 16).replace("T", " ");

/**
 * card/code/consume, once. On success our record of the code says CONSUMED, by whom (created if the take's
 * push has not arrived). The second of two counters gets WeChat's 40099 as a 422 in Chinese, with who
 * redeemed it and when if the first has written it down already.
 */
export async function consumeCode(deps: CardDeps, input: string, staff: string): Promise<RedeemDone> {
  const code = normalizeCode(input);
  let consumed: { cardId: string; openid: string };
  try {
    consumed = await deps.wechat.consume({ code });
  } catch (error) {
    if (error instanceof WeChatApiError && error.errcode === CARD_ERRCODES.consumed)
      throw await alreadyConsumed(deps, code, error);
    throw error;
  }
  const now = deps.now();
  const card = await ourCard(deps, consumed.cardId);
  if (card) {
    const move = {
      cardId: card.id,
      code,
      state: "CONSUMED" as const,
      at: now,
      consumeSource: "FROM_API",
      consumedBy: staff,
      // WeChat consumed it: whatever our record said, it was usable.
      from: ["EXPIRED", "DELETED", "GIFTED"] as CodeState[],
      create: { openid: consumed.openid, source: "consume", takenAt: now },
    };
    try {
      await moveCode(deps.db, move, now);
    } catch (error) {
      // The take's or the consume's push created the code at this moment: it is there now.
      await moveCode(deps.db, { ...move, create: undefined }, now);
      if (!(await deps.db.cardCode.findUnique({ where: { cardId_code: { cardId: card.id, code } } }))) throw error;
    }
    // The push (FROM_API) may have been applied first: the counter that consumed it is ours.
    await deps.db.cardCode.updateMany({
      where: { cardId: card.id, code, state: "CONSUMED", consumedBy: null },
      data: { consumedBy: staff, updatedAt: now },
    });
  }
  return {
    code,
    wxCardId: consumed.cardId,
    card: redeemCard(card),
    owner: await ownerOf(deps, consumed.openid),
    consumedAt: now.toISOString(),
    consumedBy: staff,
  };
}

async function alreadyConsumed(deps: CardDeps, code: string, cause: WeChatApiError): Promise<AppError> {
  const row = await deps.db.cardCode.findFirst({
    where: { code, state: "CONSUMED", card: { appId: deps.appId } },
    select: { stateAt: true, consumedBy: true },
  });
  const when = row?.stateAt ? `${beijingMinute(row.stateAt)}（北京时间）` : null;
  const who = row?.consumedBy ?? null;
  const detail = when && who ? `，已于 ${when} 由 ${who} 核销` : when ? `，已于 ${when} 核销` : "";
  return new AppError("wechat_rejected", {
    cause,
    errcode: cause.errcode,
    userMessage: `这张券已经核销过了${detail}，不能再次核销；若是两台设备同时核销，只有一台会成功。（微信错误码 ${cause.errcode}）`,
    extra: {
      errmsg: cause.errmsg,
      consumedAt: row?.stateAt?.toISOString() ?? null,
      consumedBy: who,
    },
  });
}
