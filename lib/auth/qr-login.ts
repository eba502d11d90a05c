// Sign in on a PC by scanning (扫码登录). The desktop browser asks for a temporary QR code (QR_STR_SCENE,
// a few minutes, scene login_<random>) and gets a binding cookie (only its SHA-256 is stored); the person
// scans it with WeChat; WeChat pushes subscribe (qrscene_login_…) or SCAN (login_…) with their openid to
// the message endpoint, which marks the code scanned (once, unexpired) and answers "已在电脑上登录"; the
// browser's next poll, with the cookie that asked for it, is signed in as the person a phone login would
// find by (appid, openid), once. A poll from any other browser learns nothing and signs nobody in.
import type { AuthDeps } from "@/lib/auth/deps";
import { safeEqual, sha256 } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { dialectOf, sqlTxOf } from "@/lib/db";
import { attachUnionid, findOrCreatePersonByOpenid, retryingTransaction } from "@/lib/users";
import type { WeChatFollowers } from "@/lib/wechat/followers";
import { generateState } from "@/lib/wechat/oauth";
import type { WeChatQrCodes } from "@/lib/wechat/qrcode";

export const QR_LOGIN_COOKIE = "wcuc_qr_login";
export const QR_LOGIN_TTL_SECONDS = 300;
export const QR_LOGIN_PREFIX = "login_";
export const QR_LOGIN_REPLY = "已在电脑上登录";

export type QrLoginStatus = "pending" | "scanned" | "signed_in" | "expired";

export interface QrLoginDeps extends Pick<AuthDeps, "db" | "appId" | "now" | "randomBytes" | "startLimiter"> {
  readonly qrcodes: WeChatQrCodes;
  /** user/info: the unionid of an openid this account has not met, to find the person by it. */
  readonly followers: Pick<WeChatFollowers, "getFollower">;
}

/** The unionid WeChat gives this follower, or null (none, or WeChat did not answer: the openid alone then). */
async function unionidOf(deps: QrLoginDeps, openid: string): Promise<string | null> {
  try {
    return (await deps.followers.getFollower(openid)).unionid;
  } catch (error) {
    log.warn("qr_login_unionid_unknown", { error: String(error) });
    return null;
  }
}

/** POST /api/auth/wechat/qr: a new code for this browser; `binding` is the cookie's value to set. */
export async function startQrLogin(
  deps: QrLoginDeps,
  ip: string | null,
): Promise<{ id: string; qrUrl: string; expiresAt: string; binding: string }> {
  // Each start makes a code on WeChat and a row: a loop of starts is refused first, like login starts.
  const retryAfterSeconds = deps.startLimiter.take(ip);
  if (retryAfterSeconds > 0) throw new AppError("login_rate_limited", { retryAfterSeconds });
  const id = generateState(deps.randomBytes, 32);
  const scene = `${QR_LOGIN_PREFIX}${generateState(deps.randomBytes, 32)}`;
  const binding = Buffer.from(deps.randomBytes(32)).toString("base64url");
  const code = await deps.qrcodes.create({ action: "QR_STR_SCENE", scene, expireSeconds: QR_LOGIN_TTL_SECONDS }, 0);
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + (code.expireSeconds ?? QR_LOGIN_TTL_SECONDS) * 1000);
  await deps.db.qrLogin.create({
    data: { id, appId: deps.appId, scene, bindingHash: sha256(binding), url: code.url, expiresAt, createdAt: now },
  });
  return { id, qrUrl: code.url, expiresAt: expiresAt.toISOString(), binding };
}

/**
 * The message endpoint's part: a push that scans a login code (unexpired, not scanned before) names its
 * openid and gets the short reply; any other push gets null. Only pushes with a login_ scene read the table.
 */
export async function scanQrLogin(
  db: QrLoginDeps["db"],
  push: { msgType: string; event: string | null; eventKey: string | null; openid: string },
  now: Date,
): Promise<string | null> {
  if (push.msgType !== "event" || !push.eventKey) return null;
  const key = push.event === "subscribe" ? push.eventKey.replace(/^qrscene_/, "") : push.eventKey;
  if ((push.event !== "subscribe" && push.event !== "SCAN") || !key.startsWith(QR_LOGIN_PREFIX)) return null;
  const { count } = await db.qrLogin.updateMany({
    where: { scene: key, scannedAt: null, expiresAt: { gt: now } },
    data: { openid: push.openid, scannedAt: now },
  });
  return count === 1 ? QR_LOGIN_REPLY : null;
}

/** The code's url (to draw), for the browser that asked for it; 404 for any other. */
export async function qrLoginUrl(deps: QrLoginDeps, id: string, binding: string | undefined): Promise<string> {
  return (await boundRow(deps, id, binding)).url;
}

async function boundRow(deps: QrLoginDeps, id: string, binding: string | undefined) {
  const row = await deps.db.qrLogin.findUnique({ where: { id } });
  // Unknown, or asked for by another browser: the same answer, and nothing happens.
  if (!row || row.appId !== deps.appId || !binding || !safeEqual(sha256(binding), row.bindingHash)) {
    throw new AppError("qr_login_not_found");
  }
  return row;
}

/**
 * GET /api/auth/wechat/qr/<id>: where the code is, for the browser that asked for it. When the scan has
 * arrived, this poll claims the sign-in (once) and answers the person to sign in as (`userId`).
 */
export async function pollQrLogin(
  deps: QrLoginDeps,
  id: string,
  binding: string | undefined,
): Promise<{ status: QrLoginStatus; userId?: string }> {
  const row = await boundRow(deps, id, binding);
  const now = deps.now();
  if (row.signedInAt) return { status: "signed_in" };
  if (row.openid) {
    const openid = row.openid;
    // As a phone login finds the person: by (appid, openid); an openid met for the first time, by its
    // unionid too (a person known from another app of the same Open Platform account).
    const known = await deps.db.identity.findUnique({ where: { appid_openid: { appid: deps.appId, openid } } });
    const unionid = known ? null : await unionidOf(deps, openid);
    // The push's own processing may create the same person at the same moment: a lost race runs again.
    const userId = await retryingTransaction(deps, async (tx) => {
      const claimed = await tx.qrLogin.updateMany({ where: { id, signedInAt: null }, data: { signedInAt: now } });
      if (claimed.count !== 1) return null;
      let person = await findOrCreatePersonByOpenid(tx, deps.appId, openid, now);
      if (unionid) person = await attachUnionid(sqlTxOf(tx, dialectOf(deps.db)), person, unionid);
      await tx.qrLogin.update({ where: { id }, data: { userId: person } });
      return person;
    });
    return userId ? { status: "signed_in", userId } : { status: "signed_in" };
  }
  return { status: row.expiresAt <= now ? "expired" : "pending" };
}
