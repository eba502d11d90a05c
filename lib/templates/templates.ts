// The account's template messages (模板消息): the private templates mirrored from WeChat
// (get_all_private_template, refreshed on demand), added by short id and deleted; their fields parsed
// from the content so that forms and checks know every field and its type.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { WeChatApiError } from "@/lib/wechat/errors";
import {
  parseTemplateFields,
  type TemplateField,
  type WeChatCustomService,
  type WeChatTemplates,
} from "@/lib/wechat/template";

export interface TemplateDeps {
  readonly db: Db;
  readonly appId: string;
  readonly now: () => Date;
  readonly wechat: WeChatTemplates;
  readonly custom: WeChatCustomService;
  /** This app's origin: a link to one of its pages gets the login put in front. */
  readonly appUrl: string;
  /** A client_msg_id: at most 32 characters, unique per message. */
  readonly newClientMsgId?: () => string;
}

export const newClientMsgId = (): string => randomBytes(16).toString("hex");

export interface TemplateView {
  readonly templateId: string;
  readonly title: string;
  readonly primaryIndustry: string;
  readonly deputyIndustry: string;
  readonly content: string;
  readonly example: string;
  readonly fields: readonly TemplateField[];
  readonly fetchedAt: string;
}

type Row = Awaited<ReturnType<Db["messageTemplate"]["findFirstOrThrow"]>>;

function toView(row: Row): TemplateView {
  return {
    templateId: row.templateId,
    title: row.title,
    primaryIndustry: row.primaryIndustry,
    deputyIndustry: row.deputyIndustry,
    content: row.content,
    example: row.example,
    fields: parseTemplateFields(row.content),
    fetchedAt: row.fetchedAt.toISOString(),
  };
}

/** POST /api/admin/templates: a template from WeChat's library by its short id (编号), with keyword names optionally. */
export const addTemplateInput = z
  .object({
    shortId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "请填写模板库中的模板编号（如 OPENTM207498902）。"),
    keywordNames: z.array(z.string().trim().min(1).max(20)).max(10).optional(),
  })
  .strict();

export const templateIdParams = z.object({ id: z.string().min(1).max(128) });

/** The templates as last fetched, newest title first; `fetchedAt` null when never fetched. */
export async function listTemplates(deps: Pick<TemplateDeps, "db" | "appId">): Promise<{
  templates: TemplateView[];
  fetchedAt: string | null;
}> {
  const rows = await deps.db.messageTemplate.findMany({ where: { appId: deps.appId }, orderBy: { title: "asc" } });
  const fetchedAt = rows.reduce<Date | null>((a, r) => (a && a > r.fetchedAt ? a : r.fetchedAt), null);
  return { templates: rows.map(toView), fetchedAt: fetchedAt?.toISOString() ?? null };
}

export async function getTemplate(deps: Pick<TemplateDeps, "db" | "appId">, templateId: string): Promise<TemplateView> {
  const row = await deps.db.messageTemplate.findUnique({
    where: { appId_templateId: { appId: deps.appId, templateId } },
  });
  if (!row) throw new AppError("template_not_found");
  return toView(row);
}

/** Fetches the list from WeChat and makes ours the same: new and changed ones written, removed ones gone. */
export async function refreshTemplates(deps: TemplateDeps): Promise<{ templates: TemplateView[]; fetchedAt: string }> {
  const list = await deps.wechat.list();
  const now = deps.now();
  const { db, appId } = deps;
  await db.$transaction([
    db.messageTemplate.deleteMany({ where: { appId, templateId: { notIn: list.map((t) => t.templateId) } } }),
    ...list.map((t) => {
      const data = {
        title: t.title,
        primaryIndustry: t.primaryIndustry,
        deputyIndustry: t.deputyIndustry,
        content: t.content,
        example: t.example,
        fetchedAt: now,
      };
      return db.messageTemplate.upsert({
        where: { appId_templateId: { appId, templateId: t.templateId } },
        create: { appId, templateId: t.templateId, ...data },
        update: data,
      });
    }),
  ]);
  const { templates } = await listTemplates(deps);
  return { templates, fetchedAt: now.toISOString() };
}

/** api_add_template, then a refresh (WeChat's answer is only the new id): the new template. */
export async function addTemplate(deps: TemplateDeps, input: z.output<typeof addTemplateInput>): Promise<TemplateView> {
  const templateId = await deps.wechat.add(input.shortId, input.keywordNames);
  await refreshTemplates(deps);
  return getTemplate(deps, templateId);
}

/** del_private_template, then ours. A template WeChat no longer has (40037) is gone here too. */
export async function deleteTemplate(deps: TemplateDeps, templateId: string): Promise<void> {
  await getTemplate(deps, templateId);
  try {
    await deps.wechat.remove(templateId);
  } catch (error) {
    if (!(error instanceof WeChatApiError && error.errcode === 40037)) throw error;
  }
  await deps.db.messageTemplate.deleteMany({ where: { appId: deps.appId, templateId } });
}
