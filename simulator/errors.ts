/**
 * The two kinds of error the simulator answers: WeChat's own (`{"errcode","errmsg"}` with HTTP 200,
 * shared by /sns and cgi-bin) and bad input to a control (HTTP 400).
 */
import { randomBytes } from "node:crypto";

export type ApiBody = Record<string, unknown>;

/** errmsg texts as WeChat writes them (before the ", rid: ..." suffix). */
export const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: "system error",
  40001: "invalid credential, access_token is invalid or not latest",
  40002: "invalid grant_type",
  40003: "invalid openid",
  40013: "invalid appid",
  40029: "invalid code",
  40030: "invalid refresh_token",
  40125: "invalid appsecret",
  40163: "code been used",
  41001: "access_token missing",
  41003: "refresh_token missing",
  41004: "appsecret missing",
  41008: "missing code",
  41009: "missing openid",
  42001: "access_token expired",
  42002: "refresh_token expired",
  43001: "require GET method",
  43002: "require POST method",
  45009: "reach max api daily quota limit",
  47001: "data format error",
  48001: "api unauthorized",
  40016: "invalid button size",
  40017: "invalid button type",
  40018: "invalid button name size",
  40019: "invalid button key size",
  40020: "invalid button url size",
  40023: "invalid sub button size",
  40024: "invalid sub button type",
  40025: "invalid sub button name size",
  40026: "invalid sub button key size",
  40027: "invalid sub button url size",
  40054: "invalid sub button url domain",
  40055: "invalid button url domain",
  65316: "invalid url domain, too many domains",
  40097: "invalid args",
  45029: "qrcode count out of limit",
  // template and customer service messages (cgi/messages.ts)
  40008: "invalid message type",
  40037: "invalid template_id",
  40039: "invalid url size",
  43004: "require subscribe",
  43019: "require remove blacklist",
  44004: "empty content",
  45002: "content size out of limit",
  45015: "response out of time limit or subscription is canceled",
  45026: "template size out of limit",
  45047: "out of response count limit",
  47003: "argument invalid!",
  // cards and coupons (cards/)
  40005: "invalid file type",
  40009: "invalid image size",
  40056: "invalid serial code",
  40071: "invalid card type",
  40073: "invalid card id",
  40076: "invalid color id",
  40078: "invalid card status",
  40079: "invalid time",
  40080: "invalid card ext",
  40099: "invalid code, this code has consumed.",
  40112: "can not set bind openid",
  40122: "invalid card quantity",
  40127:
    "invalid user-card status! Hint: the card was given to user, but may be deleted or expired or set unavailable !",
  40141: "invalid image url",
  41005: "media data missing",
  41011: "missing required fields! please check document and request json!",
  41012: "missing card id",
  43009: "can not use custom code, need authorize",
  45021: "some argument may be out of length limit! please check document and request json!",
  45031: "stock is out of limit",
  45033: "user get card num is out of get_limit",
  45041: "this card reach total sku quantity limit!",
};

/**
 * A WeChat-like request id: hex seconds plus random hex. Real errmsgs carry one, and clients that
 * compare errmsg for equality instead of errcode break on it; that is the point of adding it.
 */
function rid(now: number): string {
  return `${Math.floor(now / 1000).toString(16)}-${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}`;
}

export function wxError(errcode: number, now: number, message?: string): ApiBody {
  const text = message ?? ERRMSG[errcode] ?? "simulated error";
  return { errcode, errmsg: `${text}, rid: ${rid(now)}` };
}

/** Thrown by the controls on bad input; the HTTP controls answer it with 400. */
export class SimulatorInputError extends Error {
  override name = "SimulatorInputError";
}
