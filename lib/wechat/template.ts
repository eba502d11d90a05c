/**
 * Template messages (模板消息) with the basic access_token: the account's private templates
 * (get_all_private_template, api_add_template, del_private_template) and message/template/send.
 *
 * A template's fields are named in its content as `{{thing1.DATA}}`: the name is the field's key and,
 * without its trailing digits, its type. Since 2023-05 WeChat checks each value against its type and
 * refuses a bad one with 47003 (`argument invalid! data.thing1.value invalid`); `first`, `remark` and
 * `color` are ignored. The same rules are checked here before calling, with the reason in Chinese, so a
 * console form can say which field is wrong and a mass send never starts with data WeChat will refuse.
 * The rules are our reading of WeChat's page (docs/wechat-protocol.md "Template messages").
 */
import { z } from "zod";
import type { CgiClient } from "./cgi";
import { WeChatApiError } from "./errors";

export const TEMPLATE_MAX = 25;
export const CLIENT_MSG_ID_MAX = 32;
/** Template data is invalid (a value does not fit its field's type). */
export const TEMPLATE_DATA_INVALID = 47003;

export interface TemplateField {
  /** e.g. "thing1": the key in `data` */
  readonly key: string;
  /** e.g. "thing": the key without its trailing digits */
  readonly type: string;
  /** What the content puts before it on its line ("商品名称"), else the key. */
  readonly label: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+\d*)\.DATA\s*\}\}/g;

/** The fields a template's content names, in order, each once. */
export function parseTemplateFields(content: string): TemplateField[] {
  const fields: TemplateField[] = [];
  const seen = new Set<string>();
  for (const line of content.split(/\r?\n/)) {
    let lineStart = 0;
    for (const match of line.matchAll(PLACEHOLDER)) {
      const key = match[1] ?? "";
      const before = line
        .slice(lineStart, match.index)
        .replace(/[：:\s]+$/u, "")
        .trim();
      lineStart = (match.index ?? 0) + match[0].length;
      if (seen.has(key)) continue;
      seen.add(key);
      fields.push({ key, type: key.replace(/\d+$/, ""), label: before || key });
    }
  }
  return fields;
}

const HAN = "\\p{Script=Han}";
const DATE = "(?:\\d{4}年\\d{1,2}月\\d{1,2}日|\\d{4}-\\d{1,2}-\\d{1,2}|\\d{4}/\\d{1,2}/\\d{1,2})";
const CLOCK = "(?:[01]?\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d)?";
const range = (one: string) => new RegExp(`^${one}(?:\\s*~\\s*${one})?$`, "u");

interface Rule {
  readonly test: (value: string) => boolean;
  /** What the value must be, in Chinese (after "须为"). */
  readonly must: string;
}

const chars = (value: string) => [...value].length;
const upTo = (max: number, re?: RegExp) => (v: string) => chars(v) >= 1 && chars(v) <= max && (!re || re.test(v));

/** Each type's rule; a type not listed is treated as `thing`. */
export const VALUE_RULES: Readonly<Record<string, Rule>> = {
  thing: { test: upTo(20), must: "1–20 个字" },
  number: { test: upTo(32, /^\d+(?:\.\d+)?$/), must: "数字（最多 32 位，可带小数）" },
  letter: { test: upTo(32, /^[A-Za-z]+$/), must: "英文字母（最多 32 个）" },
  symbol: { test: upTo(5, /^[^\p{L}\p{N}\s]+$/u), must: "符号（最多 5 个）" },
  character_string: { test: upTo(32, /^[\x21-\x7e]+$/), must: "字母、数字或符号（最多 32 个，不能有空格或汉字）" },
  phone_number: { test: upTo(17, /^\+?\d(?:[\d -]*\d)?$/), must: "电话号码（最多 17 位：数字、+、- 或空格）" },
  car_number: {
    test: upTo(8, new RegExp(`^[${HAN}A-Z][A-Z0-9]{1,6}[A-Z0-9${HAN}]$`, "u")),
    must: "车牌号（最多 8 位，如 粤B12345）",
  },
  name: {
    test: (v) => new RegExp(`^${HAN}{1,10}$`, "u").test(v) || (chars(v) <= 20 && /^[A-Za-z][A-Za-z .]*$/.test(v)),
    must: "姓名（最多 10 个汉字或 20 个字母）",
  },
  phrase: { test: upTo(5, new RegExp(`^${HAN}+$`, "u")), must: "汉字短语（最多 5 个汉字）" },
  time: {
    test: (v) => range(`(?:${DATE}\\s)?${CLOCK}`).test(v),
    must: "24 小时制时间，如 15:01 或 2026年12月4日 15:01",
  },
  date: { test: (v) => range(`${DATE}(?:\\s${CLOCK})?`).test(v), must: "日期，如 2026年12月4日 或 2026-12-04" },
  amount: { test: upTo(20, /^[¥￥$€£]?\d+(?:\.\d{1,2})?元?$/u), must: "金额，如 ¥12.50 或 12.50元（最多两位小数）" },
};

/** Why `value` does not fit a field of `type`, in Chinese, or null when it fits. */
export function valueProblem(type: string, value: string): string | null {
  const rule = VALUE_RULES[type] ?? VALUE_RULES.thing!;
  return rule.test(value) ? null : `须为${rule.must}`;
}

export type TemplateData = Readonly<Record<string, { readonly value: string }>>;

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Every field of the template that `data` misses or fills wrongly, in content order. Extra keys are ignored (as WeChat does). */
export function templateDataProblems(fields: readonly TemplateField[], data: TemplateData): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const field of fields) {
    const value = Object.hasOwn(data, field.key) ? data[field.key]?.value : undefined;
    if (value === undefined || value === "") {
      problems.push({ field: field.key, message: `请填写「${field.label}」。` });
      continue;
    }
    const problem = valueProblem(field.type, value);
    if (problem) problems.push({ field: field.key, message: `「${field.label}」${problem}。` });
  }
  return problems;
}

/** The field WeChat names in a 47003 errmsg (`data.thing1.value invalid`), if it names one. */
export function fieldOf47003(errmsg: string): string | null {
  return /data\.([A-Za-z_]+\d*)\.value/.exec(errmsg)?.[1] ?? null;
}

export interface PrivateTemplate {
  readonly templateId: string;
  readonly title: string;
  readonly primaryIndustry: string;
  readonly deputyIndustry: string;
  readonly content: string;
  readonly example: string;
}

export interface MiniProgramLink {
  readonly appid: string;
  readonly pagepath?: string;
}

export interface TemplateSend {
  readonly touser: string;
  readonly templateId: string;
  readonly data: TemplateData;
  readonly url?: string;
  readonly miniprogram?: MiniProgramLink;
  /** At most 32 characters; the same openid and id within about 10 minutes is delivered once. */
  readonly clientMsgId?: string;
}

const templateList = z
  .object({
    template_list: z
      .array(
        z.object({
          template_id: z.string().min(1),
          title: z.string().default(""),
          primary_industry: z.string().default(""),
          deputy_industry: z.string().default(""),
          content: z.string().default(""),
          example: z.string().default(""),
        }),
      )
      .default([]),
  })
  .transform((b): PrivateTemplate[] =>
    b.template_list.map((t) => ({
      templateId: t.template_id,
      title: t.title,
      primaryIndustry: t.primary_industry,
      deputyIndustry: t.deputy_industry,
      content: t.content,
      example: t.example,
    })),
  );

const added = z.object({ template_id: z.string().min(1) }).transform((b) => b.template_id);
const ok = z
  .object({})
  .passthrough()
  .transform(() => undefined);
// msgids are 64-bit: kept as decimal text (a JSON number past 2^53 would lose digits in any case).
const sent = z
  .object({ msgid: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]) })
  .transform((b) => ({ msgid: String(b.msgid) }));

export class WeChatTemplates {
  constructor(private readonly cgi: CgiClient) {}

  list(): Promise<PrivateTemplate[]> {
    return this.cgi.call({
      method: "GET",
      path: "/cgi-bin/template/get_all_private_template",
      schema: templateList,
      idempotent: true,
    });
  }

  /** api_add_template: the new template's id. Not retried (adding twice makes two). */
  add(shortId: string, keywordNames?: readonly string[]): Promise<string> {
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/template/api_add_template",
      body: { template_id_short: shortId, ...(keywordNames?.length ? { keyword_name_list: keywordNames } : {}) },
      schema: added,
      idempotent: false,
    });
  }

  remove(templateId: string): Promise<void> {
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/template/del_private_template",
      body: { template_id: templateId },
      schema: ok,
      idempotent: true,
    });
  }

  /**
   * message/template/send. Retried on -1 and transport errors only with a clientMsgId (WeChat then
   * delivers a repeated call once); without one a retry could message the person twice.
   */
  async send(message: TemplateSend): Promise<{ msgid: string }> {
    if (
      message.clientMsgId !== undefined &&
      (message.clientMsgId.length < 1 || message.clientMsgId.length > CLIENT_MSG_ID_MAX)
    )
      throw new WeChatApiError({
        errcode: TEMPLATE_DATA_INVALID,
        errmsg: "refused before calling WeChat: client_msg_id must be 1-32 characters",
        endpoint: "/cgi-bin/message/template/send",
      });
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/message/template/send",
      body: {
        touser: message.touser,
        template_id: message.templateId,
        ...(message.url ? { url: message.url } : {}),
        ...(message.miniprogram ? { miniprogram: message.miniprogram } : {}),
        ...(message.clientMsgId ? { client_msg_id: message.clientMsgId } : {}),
        data: message.data,
      },
      schema: sent,
      idempotent: message.clientMsgId !== undefined,
    });
  }
}

/** Customer service messages (客服消息): replies to a person who wrote to the account. */
export class WeChatCustomService {
  constructor(private readonly cgi: CgiClient) {}

  /**
   * message/custom/send with a text (客服消息): only within 48 hours of the person's last message or
   * event (45015). Not retried: a repeated call is a second message.
   */
  sendText(openid: string, content: string): Promise<void> {
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/message/custom/send",
      body: { touser: openid, msgtype: "text", text: { content } },
      schema: ok,
      idempotent: false,
    });
  }
}

export type DeliveryStatus = "delivered" | "refused" | "failed";

/**
 * A TEMPLATESENDJOBFINISH push's Status in our words: `success` → delivered; `failed:user block` (the
 * person refused this account's messages) → refused; anything else (`failed: system failed`) → failed.
 */
export function deliveryStatusOf(status: string): DeliveryStatus {
  const s = status.trim().toLowerCase();
  if (s === "success") return "delivered";
  if (s.replace(/\s+/g, "") === "failed:userblock") return "refused";
  return "failed";
}
