// Auto-replies: one for subscribe, any number for keywords (exact or contains), edited in the console.
// The endpoint chooses the reply while recording a push, so it reads the rules on the hot path: they
// are cached in-process for a few seconds (an edit in this process clears the cache at once; other
// instances see it within AUTO_REPLY_CACHE_MS).
import { z } from "zod";
import { isUniqueViolation, type Db } from "@/lib/db";
import { AppError } from "@/lib/errors";

export const AUTO_REPLY_CACHE_MS = 5_000;
/** WeChat caps a passive text reply at 2048 bytes. */
export const MAX_REPLY_BYTES = 2048;

export interface AutoReplyRule {
  readonly id: string;
  readonly kind: "subscribe" | "keyword";
  readonly keyword: string;
  readonly match: "exact" | "contains";
  readonly reply: string;
  readonly enabled: boolean;
  readonly updatedAt: Date;
}

export const autoReplyInput = z
  .object({
    kind: z.enum(["subscribe", "keyword"]),
    keyword: z.string().trim().max(60).default(""),
    match: z.enum(["exact", "contains"]).default("exact"),
    reply: z
      .string()
      .trim()
      .min(1, "回复内容不能为空")
      .refine((v) => Buffer.byteLength(v, "utf8") <= MAX_REPLY_BYTES, "回复内容不能超过 2048 字节"),
    enabled: z.boolean().default(true),
  })
  .transform((v) => (v.kind === "subscribe" ? { ...v, keyword: "", match: "exact" as const } : v))
  .refine((v) => v.kind === "subscribe" || v.keyword !== "", { message: "关键词不能为空", path: ["keyword"] });

export type AutoReplyInput = z.output<typeof autoReplyInput>;

function toRule(row: {
  id: string;
  kind: string;
  keyword: string;
  match: string;
  reply: string;
  enabled: boolean;
  updatedAt: Date;
}): AutoReplyRule {
  return {
    id: row.id,
    kind: row.kind === "subscribe" ? "subscribe" : "keyword",
    keyword: row.keyword,
    match: row.match === "contains" ? "contains" : "exact",
    reply: row.reply,
    enabled: row.enabled,
    updatedAt: row.updatedAt,
  };
}

export async function listAutoReplies(db: Db): Promise<AutoReplyRule[]> {
  const rows = await db.autoReply.findMany({ orderBy: [{ kind: "desc" }, { keyword: "asc" }] });
  return rows.map(toRule);
}

/**
 * The reply text for a push, or null: subscribe → the subscribe rule; a menu tap (CLICK) whose key is a
 * keyword → that keyword's rule (the menu editor offers the keywords as keys); text → exact keyword, else
 * the longest contained one.
 */
export function chooseReply(
  rules: readonly AutoReplyRule[],
  push: { msgType: string; event: string | null; content: string | null; eventKey?: string | null },
): string | null {
  const enabled = rules.filter((r) => r.enabled);
  if (push.msgType === "event" && push.event === "subscribe") {
    return enabled.find((r) => r.kind === "subscribe")?.reply ?? null;
  }
  if (push.msgType === "event" && push.event === "CLICK" && push.eventKey) {
    return enabled.find((r) => r.kind === "keyword" && r.keyword === push.eventKey)?.reply ?? null;
  }
  if (push.msgType !== "text" || push.content === null) return null;
  const text = push.content.trim();
  const keywords = enabled.filter((r) => r.kind === "keyword");
  const exact = keywords.find((r) => r.keyword === text);
  if (exact) return exact.reply;
  const contained = keywords
    .filter((r) => r.match === "contains" && text.includes(r.keyword))
    .sort((a, b) => b.keyword.length - a.keyword.length || a.keyword.localeCompare(b.keyword));
  return contained[0]?.reply ?? null;
}

/** The rules, cached per process; `clear()` after an edit. */
export class AutoReplyCache {
  #rules: AutoReplyRule[] | undefined;
  #loadedAt = 0;
  #loading: Promise<AutoReplyRule[]> | undefined;
  /** Bumped by clear(): a load that started before an edit must not store what it read. */
  #generation = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  async rules(): Promise<readonly AutoReplyRule[]> {
    if (this.#rules && this.clock() - this.#loadedAt < AUTO_REPLY_CACHE_MS) return this.#rules;
    // One load at a time: a burst of pushes after expiry reads the table once.
    if (!this.#loading) {
      const generation = this.#generation;
      const loading = listAutoReplies(this.db).finally(() => {
        if (this.#loading === loading) this.#loading = undefined;
      });
      this.#loading = loading;
      void loading.then(
        (rules) => {
          if (generation !== this.#generation) return;
          this.#rules = rules;
          this.#loadedAt = this.clock();
        },
        () => undefined,
      );
    }
    return this.#loading;
  }

  clear(): void {
    this.#generation++;
    this.#rules = undefined;
    this.#loading = undefined;
  }
}

// On globalThis, like the database client: `next build` gives each route its own copy of lib/, and the
// console's edit routes must clear the very cache the message endpoint reads.
const globalForCaches = globalThis as unknown as { wcucAutoReplyCaches?: WeakMap<Db, AutoReplyCache> };
const caches = (globalForCaches.wcucAutoReplyCaches ??= new WeakMap<Db, AutoReplyCache>());

/** The process's cache for `db` (shared by the endpoint and the console's edits). */
export function autoReplyCache(db: Db): AutoReplyCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new AutoReplyCache(db);
    caches.set(db, cache);
  }
  return cache;
}

/** Creates a rule; a second rule for the same (kind, keyword) is a 400 with a message saying so. */
export async function createAutoReply(db: Db, input: AutoReplyInput): Promise<AutoReplyRule> {
  try {
    const row = await db.autoReply.create({ data: input });
    return toRule(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("auto_reply_exists", { cause: err });
    throw err;
  } finally {
    autoReplyCache(db).clear();
  }
}

export async function updateAutoReply(db: Db, id: string, input: AutoReplyInput): Promise<AutoReplyRule | null> {
  try {
    const { count } = await db.autoReply.updateMany({ where: { id }, data: input });
    if (count === 0) return null;
    return toRule(await db.autoReply.findUniqueOrThrow({ where: { id } }));
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("auto_reply_exists", { cause: err });
    throw err;
  } finally {
    autoReplyCache(db).clear();
  }
}

export async function deleteAutoReply(db: Db, id: string): Promise<boolean> {
  const { count } = await db.autoReply.deleteMany({ where: { id } });
  autoReplyCache(db).clear();
  return count > 0;
}
