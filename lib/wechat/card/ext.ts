/**
 * The cardExt of wx.addCard (JS-SDK 批量添加卡券): a JSON string per card, signed on the server with the
 * cards' api_ticket (getticket type=wx_card, central: TokenService.cardTicket()).
 *
 * signature = sha1 of the values api_ticket, timestamp, card_id, code, openid, nonce_str — the values
 * only, sorted as strings and concatenated; an absent code or openid is an empty string, which sorts
 * first and adds nothing. outer_str and fixed_begintimestamp travel in the cardExt unsigned.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { nonceStr } from "../jssdk";

export interface CardExtParts {
  readonly apiTicket: string;
  /** seconds, as a string in the cardExt */
  readonly timestamp: number | string;
  readonly cardId: string;
  /** Only for cards with custom codes (we issue WeChat's own: never set). */
  readonly code?: string;
  /** Only for cards bound to an openid (bind_openid: never set by us). */
  readonly openid?: string;
  readonly nonceStr: string;
}

export function cardExtSignature(parts: CardExtParts): string {
  const values = [
    parts.apiTicket,
    String(parts.timestamp),
    parts.cardId,
    parts.code ?? "",
    parts.openid ?? "",
    parts.nonceStr,
  ];
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha1").update(values.join(""), "utf8").digest("hex");
}

/** Whether `signature` signs `parts`, compared in constant time. */
export function verifyCardExtSignature(parts: CardExtParts, signature: string): boolean {
  const expected = Buffer.from(cardExtSignature(parts), "utf8");
  const given = Buffer.from(signature.toLowerCase(), "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** One entry of wx.addCard's cardList. */
export interface AddCardEntry {
  readonly cardId: string;
  /** The JSON string wx.addCard takes. */
  readonly cardExt: string;
}

export function createCardExt(args: {
  apiTicket: string;
  cardId: string;
  nowMs: number;
  randomBytes: (n: number) => Uint8Array;
  /** Our channel for the take: comes back as OuterStr in user_get_card. */
  outerStr?: string;
  code?: string;
  openid?: string;
}): AddCardEntry {
  const timestamp = String(Math.floor(args.nowMs / 1000));
  const nonce = nonceStr(args.randomBytes);
  const signature = cardExtSignature({
    apiTicket: args.apiTicket,
    timestamp,
    cardId: args.cardId,
    code: args.code,
    openid: args.openid,
    nonceStr: nonce,
  });
  const ext: Record<string, string> = {};
  if (args.code) ext.code = args.code;
  if (args.openid) ext.openid = args.openid;
  ext.timestamp = timestamp;
  ext.nonce_str = nonce;
  if (args.outerStr) ext.outer_str = args.outerStr;
  ext.signature = signature;
  return Object.freeze({ cardId: args.cardId, cardExt: JSON.stringify(ext) });
}
