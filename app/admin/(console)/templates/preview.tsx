// How a template message looks in WeChat's chat: the title, the time, each field with its name, and a
// 详情 link when the message has one. Values not filled yet show the template's field name in grey.
import type { TemplateField } from "@/lib/wechat/template";

export function TemplatePreview({
  title,
  fields,
  values,
  hasLink,
}: {
  title: string;
  fields: readonly TemplateField[];
  values: Readonly<Record<string, string>>;
  hasLink: boolean;
}) {
  return (
    <div className="w-full max-w-xs rounded-lg bg-neutral-100 p-3" data-testid="template-preview">
      <div className="rounded-md bg-white p-4 shadow-sm">
        <p className="text-base font-medium">{title}</p>
        <p className="mt-0.5 text-xs text-neutral-400">{new Date().toLocaleDateString("zh-CN")}</p>
        <dl className="mt-3 flex flex-col gap-1.5 text-sm">
          {fields.map((f) => (
            <div key={f.key} className="flex gap-3" data-testid="template-preview-field">
              <dt className="w-20 shrink-0 text-neutral-500">{f.label}</dt>
              <dd className={`min-w-0 break-all ${values[f.key] ? "" : "text-neutral-300"}`}>
                {values[f.key] || f.key}
              </dd>
            </div>
          ))}
        </dl>
        {hasLink && (
          <p className="mt-3 flex justify-between border-t border-neutral-100 pt-2 text-sm text-neutral-600">
            详情<span aria-hidden>›</span>
          </p>
        )}
      </div>
    </div>
  );
}
