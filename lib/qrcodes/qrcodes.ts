// Channel QR codes (渠道二维码): made on WeChat with qrcode/create (the limits checked first), kept here
// with their name, scene, ticket, url and expiry; the image drawn by us from the url. What each code
// brought is read from the pushes themselves: `subscribe` with EventKey qrscene_<scene> (a new follower)
// and `SCAN` with <scene> (already following), one WeChatEvent row per push however often WeChat retried.
import { z } from "zod";
import type { Db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import type { FollowerDeps } from "@/lib/followers/deps";
import { tagUsers } from "@/lib/followers/tags";
import { defineJob, type JobDefinition } from "@/lib/jobs/types";
import { log } from "@/lib/log";
import { utf8Bytes } from "@/lib/wechat/text";
import { QR_EXPIRE_MAX_SECONDS, QR_SCENE_MAX_CHARS, type WeChatQrCodes } from "@/lib/wechat/qrcode";

export interface QrDeps {
  readonly db: Db;
  readonly wechat: WeChatQrCodes;
  readonly appId: string;
  readonly now: () => Date;
}

/** POST /api/admin/qrcodes, in WeChat's names where WeChat has them. */
export const qrCodeInput = z
  .object({
    name: z.string().trim().min(1, "请填写二维码名称。").max(60, "名称最多 60 个字。"),
    // The length and spaces are qrProblem's (WeChat's errcode); here only the type.
    scene: z.string().max(QR_SCENE_MAX_CHARS * 4),
    action_name: z.enum(["QR_LIMIT_STR_SCENE", "QR_STR_SCENE"]),
    expire_seconds: z
      .number()
      .int()
      .positive()
      .max(QR_EXPIRE_MAX_SECONDS * 10)
      .optional(),
    tagId: z.number().int().min(0).max(0x7fffffff).optional(),
    welcome: z
      .string()
      .trim()
      .refine((w) => utf8Bytes(w) <= 2048, "欢迎语最多 2048 字节。")
      .optional(),
  })
  .strict();
export type QrCodeInput = z.output<typeof qrCodeInput>;

export const qrIdParams = z.object({ id: z.string().min(1).max(64) });

export interface QrCodeView {
  readonly id: string;
  readonly name: string;
  readonly scene: string;
  readonly action: "QR_LIMIT_STR_SCENE" | "QR_STR_SCENE";
  readonly url: string;
  readonly expiresAt: string | null;
  readonly expired: boolean;
  readonly tagId: number | null;
  readonly welcome: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface QrStats {
  /** every scan through the code: follows and scans by followers */
  readonly scans: number;
  /** people who followed through it */
  readonly newFollowers: number;
  /** of those, how many follow today (as our records say) */
  readonly stillFollowing: number;
  /** per Beijing day, oldest first, days with scans only */
  readonly daily: readonly { readonly day: string; readonly scans: number; readonly newFollowers: number }[];
}

type Row = Awaited<ReturnType<Db["qrCode"]["findFirstOrThrow"]>>;

function toView(row: Row, now: Date): QrCodeView {
  return {
    id: row.id,
    name: row.name,
    scene: row.scene,
    action: row.action as QrCodeView["action"],
    url: row.url,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    expired: row.expiresAt !== null && row.expiresAt <= now,
    tagId: row.tagId,
    welcome: row.welcome,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}

/** Makes the code on WeChat, then keeps it; a scene already used here is refused before calling (409). */
export async function createQrCode(deps: QrDeps, input: QrCodeInput, staff: string): Promise<QrCodeView> {
  const { db, appId } = deps;
  if (input.tagId !== undefined && !(await db.tag.findUnique({ where: { id: input.tagId } })))
    throw new AppError("tag_not_found");
  if (await db.qrCode.findUnique({ where: { appId_scene: { appId, scene: input.scene } } }))
    throw new AppError("qrcode_scene_exists");
  const permanent = await db.qrCode.count({ where: { appId, action: "QR_LIMIT_STR_SCENE" } });
  const ticket = await deps.wechat.create(
    { action: input.action_name, scene: input.scene, expireSeconds: input.expire_seconds },
    permanent,
  );
  const now = deps.now();
  try {
    const row = await db.qrCode.create({
      data: {
        appId,
        name: input.name,
        scene: input.scene,
        action: input.action_name,
        ticket: ticket.ticket,
        url: ticket.url,
        expiresAt: ticket.expireSeconds === null ? null : new Date(now.getTime() + ticket.expireSeconds * 1000),
        tagId: input.tagId ?? null,
        welcome: input.welcome || null,
        createdAt: now,
        createdBy: staff,
      },
    });
    return toView(row, now);
  } catch (error) {
    // Another request made the same scene between our check and here.
    if (isUniqueViolation(error)) throw new AppError("qrcode_scene_exists", { cause: error });
    throw error;
  }
}

export async function listQrCodes(deps: QrDeps): Promise<QrCodeView[]> {
  const rows = await deps.db.qrCode.findMany({
    where: { appId: deps.appId },
    orderBy: { createdAt: "desc" },
    take: 500,
  });
  const now = deps.now();
  return rows.map((r) => toView(r, now));
}

export async function getQrCode(deps: QrDeps, id: string): Promise<QrCodeView> {
  const row = await deps.db.qrCode.findFirst({ where: { id, appId: deps.appId } });
  if (!row) throw new AppError("qrcode_not_found");
  return toView(row, deps.now());
}

/** The pushes that name a scene: subscribe with qrscene_<scene>, SCAN with <scene>. */
export function scanEvents(scene: string) {
  return {
    msgType: "event",
    OR: [
      { event: "subscribe", eventKey: `qrscene_${scene}` },
      { event: "SCAN", eventKey: scene },
    ],
  };
}

const BEIJING_MS = 8 * 3600_000;
const CHUNK = 500;

export async function qrCodeStats(deps: QrDeps, scene: string): Promise<QrStats> {
  const { db } = deps;
  const events = await db.weChatEvent.findMany({
    where: scanEvents(scene),
    select: { openid: true, event: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
  const followers = [...new Set(events.filter((e) => e.event === "subscribe").map((e) => e.openid))];
  let stillFollowing = 0;
  for (let i = 0; i < followers.length; i += CHUNK) {
    stillFollowing += await db.identity.count({
      where: { appid: deps.appId, openid: { in: followers.slice(i, i + CHUNK) }, user: { subscribed: true } },
    });
  }
  const days = new Map<string, { scans: number; newFollowers: number }>();
  for (const e of events) {
    const day = new Date(e.createdAt.getTime() + BEIJING_MS).toISOString().slice(0, 10);
    const d = days.get(day) ?? { scans: 0, newFollowers: 0 };
    d.scans += 1;
    if (e.event === "subscribe") d.newFollowers += 1;
    days.set(day, d);
  }
  return {
    scans: events.length,
    newFollowers: followers.length,
    stillFollowing,
    daily: [...days].map(([day, d]) => ({ day, ...d })),
  };
}

/**
 * The welcome of the channel a follow came through (subscribe with EventKey qrscene_<scene>), which
 * replaces the subscribe auto-reply; null for any other push or a code without one. Asked only for
 * follows through a QR code, so the endpoint's hot path does not read it.
 */
export async function channelWelcome(
  db: Db,
  appId: string,
  push: { msgType: string; event: string | null; eventKey: string | null },
): Promise<string | null> {
  if (push.msgType !== "event" || push.event !== "subscribe" || !push.eventKey?.startsWith("qrscene_")) return null;
  const scene = push.eventKey.slice("qrscene_".length);
  const code = await db.qrCode.findUnique({ where: { appId_scene: { appId, scene } }, select: { welcome: true } });
  return code?.welcome || null;
}

/** How far back the tagging job looks: a person it could not tag (WeChat refused) is not asked forever. */
export const TAG_WINDOW_MS = 24 * 3600_000;
export const QR_TAG_JOB = "qrcodes.tag-scans";
const TAG_EVERY_SECONDS = 60;

/**
 * Gives everyone who followed or scanned through a code with a tag that tag, on WeChat and in our mirror
 * (tagUsers), once: people who already carry it are skipped, so running again calls nothing. Pushes are
 * only named once applied (their person known), so a push of the last minute is picked up on a later run.
 */
export async function tagScans(deps: FollowerDeps, since: Date): Promise<{ tagged: number; refused: number }> {
  const codes = await deps.db.qrCode.findMany({
    where: { appId: deps.appId, tagId: { not: null } },
    select: { scene: true, tagId: true },
  });
  let tagged = 0;
  let refused = 0;
  for (const code of codes) {
    const tagId = code.tagId!;
    const events = await deps.db.weChatEvent.findMany({
      where: { ...scanEvents(code.scene), createdAt: { gte: since }, userId: { not: null } },
      select: { userId: true },
      distinct: ["userId"],
    });
    const people = events.map((e) => e.userId!);
    if (people.length === 0) continue;
    const carrying = new Set(
      (await deps.db.userTag.findMany({ where: { tagId, userId: { in: people } }, select: { userId: true } })).map(
        (t) => t.userId,
      ),
    );
    const missing = people.filter((id) => !carrying.has(id));
    if (missing.length === 0) continue;
    try {
      tagged += (await tagUsers(deps, tagId, missing)).applied;
    } catch (error) {
      refused += missing.length;
      log.warn("qrcode_tagging_failed", { scene: code.scene, tagId, people: missing.length, error: String(error) });
    }
  }
  return { tagged, refused };
}

export function qrTagJob(deps: FollowerDeps): JobDefinition<Record<string, never>> {
  return defineJob({
    name: QR_TAG_JOB,
    payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
    attempts: 1,
    every: { seconds: TAG_EVERY_SECONDS, payload: {} },
    run: async () => tagScans(deps, new Date(deps.now().getTime() - TAG_WINDOW_MS)),
  });
}
