// /admin/templates (模板消息): the account's templates as last fetched from WeChat, each with its fields
// and a preview of how it reads in the chat; admins refresh the list, add one by its library number and
// delete one (the API routes check the role).
import { Term } from "@/app/admin/term";
import { requireStaffPage } from "@/lib/admin/guard";
import { formatShanghai } from "@/lib/admin/user-detail";
import { services } from "@/lib/services";
import { listTemplates } from "@/lib/templates/templates";
import { VALUE_RULES } from "@/lib/wechat/template";
import { TemplatePreview } from "./preview";
import { AddTemplate, DeleteTemplate, RefreshTemplates } from "./template-controls";

export const dynamic = "force-dynamic";

export default async function TemplatesPage() {
  const staff = await requireStaffPage();
  const { templates, fetchedAt } = await listTemplates(services.templates);
  const admin = staff.role === "admin";
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">模板消息</h1>
          <p className="mt-1 text-sm text-neutral-500">
            公众号在微信公众平台添加的模板（最多 25
            个）。给某个用户发送模板消息，请到该用户的详情页；给一批用户发送，请用“群发”。
            {fetchedAt
              ? ` 最近从微信获取：${formatShanghai(new Date(fetchedAt))}。`
              : " 还没有从微信获取过，请点“从微信刷新”。"}
          </p>
        </div>
        {admin && <RefreshTemplates />}
      </div>
      {admin ? <AddTemplate /> : <p className="text-sm text-neutral-500">只读：只有管理员可以添加或删除模板。</p>}
      {templates.length === 0 ? (
        <p className="rounded-xl bg-white p-5 text-sm text-neutral-500 shadow-sm" data-testid="template-empty">
          还没有模板。
        </p>
      ) : (
        <ul className="grid gap-4 lg:grid-cols-2">
          {templates.map((t) => (
            <li
              key={t.templateId}
              className="flex flex-col gap-3 rounded-xl bg-white p-5 shadow-sm"
              data-testid="template"
              data-template-id={t.templateId}
            >
              <div className="flex items-start justify-between gap-3">
                <div className="min-w-0">
                  <h2 className="font-medium" data-testid="template-title">
                    {t.title}
                  </h2>
                  <p className="text-xs text-neutral-500">
                    {[t.primaryIndustry, t.deputyIndustry].filter(Boolean).join(" / ") || "—"}
                  </p>
                  <p className="mt-1 text-xs break-all text-neutral-600">
                    模板 ID <span className="font-mono">{t.templateId}</span>
                  </p>
                </div>
                {admin && <DeleteTemplate templateId={t.templateId} title={t.title} />}
              </div>
              {/* What each field takes, in words (WeChat's rule for its type); the field's key, which the API
                  and WeChat's documentation use, is in a tooltip on its name. */}
              <table className="text-left text-sm">
                <thead className="text-xs text-neutral-600">
                  <tr className="[&>th]:py-1 [&>th]:pr-4 [&>th]:font-normal">
                    <th className="whitespace-nowrap">内容</th>
                    <th>填写要求</th>
                  </tr>
                </thead>
                <tbody>
                  {t.fields.map((f) => (
                    <tr key={f.key} data-testid="template-field" className="align-baseline [&>td]:py-0.5 [&>td]:pr-4">
                      <td className="whitespace-nowrap">
                        <Term tip={`字段 ${f.key}（类型 ${f.type}）`}>{f.label}</Term>
                      </td>
                      <td className="text-neutral-600">{(VALUE_RULES[f.type] ?? VALUE_RULES.thing)?.must}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <TemplatePreview title={t.title} fields={t.fields} values={exampleValues(t.example, t.fields)} hasLink />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The example's values by field, read from its lines ("商品名称：咖啡") in the content's order. */
function exampleValues(example: string, fields: readonly { key: string; label: string }[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of example.split(/\r?\n/)) {
    const [label, ...rest] = line.split(/[：:]/);
    const field = fields.find((f) => f.label === label?.trim());
    if (field && rest.length > 0) values[field.key] = rest.join("：").trim();
  }
  return values;
}
