// How a template message looks in WeChat's chat: the title, the time, each field with its name, and at the
// foot 进入小程序查看 when it opens a mini program (WeChat prefers it to the link), else 详情 when it has a
// link. Values not filled yet say so in grey.
import { beijingTime } from "@/app/admin/beijing-time";
import type { TemplateField } from "@/lib/wechat/template";

export function TemplatePreview({
  title,
  fields,
  values,
  hasLink,
  miniProgram = false,
}: {
  title: string;
  fields: readonly TemplateField[];
  values: Readonly<Record<string, string>>;
  hasLink: boolean;
  /** it opens a mini program */
  miniProgram?: boolean;
}) {
  return (
    <div className="w-full max-w-xs rounded-lg bg-neutral-100 p-3" data-testid="template-preview">
      <div className="rounded-md bg-white p-4 shadow-sm">
        <p className="text-base font-medium">{title}</p>
        <p className="mt-0.5 text-xs text-neutral-400">{beijingTime(new Date(), "M月D日")}</p>
        <dl className="mt-3 flex flex-col gap-1.5 text-sm">
          {fields.map((f) => (
            <div key={f.key} className="flex gap-3" data-testid="template-preview-field">
              <dt className="w-20 shrink-0 text-neutral-500">{f.label}</dt>
              <dd className={`min-w-0 break-all ${values[f.key] ? "" : "text-neutral-300"}`}>
                {values[f.key] || "未填写"}
              </dd>
            </div>
          ))}
        </dl>
        {miniProgram ? (
          <p
            className="mt-3 flex items-center justify-between border-t border-neutral-100 pt-2 text-sm text-neutral-600"
            data-testid="template-preview-miniprogram"
          >
            <span className="flex items-center gap-1.5">
              <span aria-hidden className="inline-block size-3.5 rounded-full border-2 border-indigo-500" />
              进入小程序查看
            </span>
            <span aria-hidden>›</span>
          </p>
        ) : (
          hasLink && (
            <p className="mt-3 flex justify-between border-t border-neutral-100 pt-2 text-sm text-neutral-600">
              详情<span aria-hidden>›</span>
            </p>
          )
        )}
      </div>
    </div>
  );
}
