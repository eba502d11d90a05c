/**
 * Parametric QR codes (带参数二维码) with the basic access_token: cgi-bin/qrcode/create. We make the
 * string-scene kinds only (a channel is named, not numbered): permanent `QR_LIMIT_STR_SCENE` and
 * temporary `QR_STR_SCENE` with an expiry. The image is drawn by us from the answer's `url` (the page
 * at showqrcode is only another way to the same picture), so the console works offline.
 *
 * Limits are checked before calling, with the errcode the simulator answers (our reading: WeChat's
 * pages give none of their own; see docs/wechat-protocol.md "Parametric QR codes").
 */
import { z } from "zod";
import type { CgiClient } from "./cgi";
import { WeChatApiError } from "./errors";

export const QR_SCENE_MAX_CHARS = 64;
export const QR_EXPIRE_MAX_SECONDS = 2_592_000;
export const QR_EXPIRE_DEFAULT_SECONDS = 60;
export const QR_PERMANENT_MAX = 100_000;
/** Invalid arguments (scene, expiry, action). */
export const QR_INVALID_ARGS = 40097;
/** The account's permanent codes are used up. */
export const QR_PERMANENT_LIMIT = 45029;

export type QrAction = "QR_LIMIT_STR_SCENE" | "QR_STR_SCENE";

export interface QrRequest {
  readonly action: QrAction;
  readonly scene: string;
  /** QR_STR_SCENE only: 60 (WeChat's default) to 2,592,000 (30 days). */
  readonly expireSeconds?: number;
}

export interface QrTicket {
  readonly ticket: string;
  /** What the QR code encodes: draw it from this. */
  readonly url: string;
  /** null for a permanent code */
  readonly expireSeconds: number | null;
}

/** The problem with a request, in Chinese for the console, or null; `permanentCount`: the account's permanent codes. */
export function qrProblem(request: QrRequest, permanentCount: number): { errcode: number; message: string } | null {
  const chars = [...request.scene].length;
  if (chars < 1 || chars > QR_SCENE_MAX_CHARS || request.scene.trim() !== request.scene)
    return {
      errcode: QR_INVALID_ARGS,
      message: `渠道标识须为 1–${QR_SCENE_MAX_CHARS} 个字符，且首尾不能有空格（现在 ${chars} 个）。`,
    };
  if (request.action === "QR_STR_SCENE") {
    const s = request.expireSeconds ?? QR_EXPIRE_DEFAULT_SECONDS;
    if (!Number.isInteger(s) || s < QR_EXPIRE_DEFAULT_SECONDS || s > QR_EXPIRE_MAX_SECONDS)
      return { errcode: QR_INVALID_ARGS, message: `临时二维码有效期须为 60–${QR_EXPIRE_MAX_SECONDS} 秒（30 天）。` };
  } else {
    if (request.expireSeconds !== undefined)
      return { errcode: QR_INVALID_ARGS, message: "永久二维码没有有效期，请不要填写有效天数。" };
    if (permanentCount >= QR_PERMANENT_MAX)
      return { errcode: QR_PERMANENT_LIMIT, message: `永久二维码最多 ${QR_PERMANENT_MAX} 个，已用完。` };
  }
  return null;
}

const created = z
  .object({ ticket: z.string().min(1), url: z.string().min(1), expire_seconds: z.number().int().optional() })
  .transform((b): QrTicket => ({ ticket: b.ticket, url: b.url, expireSeconds: b.expire_seconds ?? null }));

export class WeChatQrCodes {
  constructor(private readonly cgi: CgiClient) {}

  /** qrcode/create after qrProblem. Not retried: a temporary code made twice is two codes. */
  async create(request: QrRequest, permanentCount: number): Promise<QrTicket> {
    const problem = qrProblem(request, permanentCount);
    if (problem) {
      throw new WeChatApiError({
        errcode: problem.errcode,
        errmsg: `refused before calling WeChat: ${problem.message}`,
        endpoint: "/cgi-bin/qrcode/create",
      });
    }
    const body =
      request.action === "QR_STR_SCENE"
        ? {
            expire_seconds: request.expireSeconds ?? QR_EXPIRE_DEFAULT_SECONDS,
            action_name: request.action,
            action_info: { scene: { scene_str: request.scene } },
          }
        : { action_name: request.action, action_info: { scene: { scene_str: request.scene } } };
    return this.cgi.call({ method: "POST", path: "/cgi-bin/qrcode/create", body, schema: created, idempotent: false });
  }
}

/** The showqrcode address of a ticket (mp.weixin.qq.com, no token). */
export function showQrCodeUrl(ticket: string, base = "https://mp.weixin.qq.com"): string {
  return `${base}/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`;
}
