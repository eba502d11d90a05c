"use client";
// A template's fields as inputs, each checked as it is typed against WeChat's value rules (the reason
// next to the field), the optional link and mini program, and a preview of the message in WeChat's chat.
// Used by the person's page (send to one) and by 新建群发.
import { useMemo, useState } from "react";
import { Term } from "@/app/admin/term";
import { VALUE_RULES, valueProblem, type TemplateField } from "@/lib/wechat/template";
import { miniProgramBody, miniProgramProblems, type MiniProgramInputs } from "./miniprogram";
import { TemplatePreview } from "./preview";

const INPUT = "w-full rounded-md border border-neutral-300 px-2 py-1.5 text-sm";

export interface TemplateOption {
  templateId: string;
  title: string;
  fields: readonly TemplateField[];
}

/** What a send tried with a field marked red says next to its button. */
export const FIX_FIELDS = "请先改正上面标红的内容。";

/** Each field's problem (empty, or its type's rule), by key. */
export function fieldProblems(template: TemplateOption | undefined, values: Readonly<Record<string, string>>) {
  const out: Record<string, string> = {};
  for (const f of template?.fields ?? []) {
    const v = values[f.key] ?? "";
    const p = v === "" ? "请填写。" : valueProblem(f.type, v);
    if (p) out[f.key] = p;
  }
  return out;
}

/** WeChat's `data` from the inputs. */
export function templateData(template: TemplateOption | undefined, values: Readonly<Record<string, string>>) {
  return Object.fromEntries((template?.fields ?? []).map((f) => [f.key, { value: values[f.key] ?? "" }]));
}

export function TemplateFieldsEditor(props: {
  templates: readonly TemplateOption[];
  templateId: string;
  onTemplate: (id: string) => void;
  values: Record<string, string>;
  onValues: (values: Record<string, string>) => void;
  url: string;
  onUrl: (url: string) => void;
  miniProgram: MiniProgramInputs;
  onMiniProgram: (miniProgram: MiniProgramInputs) => void;
  /** show every field's problem (after a send was tried), not only those of fields left */
  showAll: boolean;
  touched: Record<string, boolean>;
  onTouched: (touched: Record<string, boolean>) => void;
}) {
  const template = props.templates.find((t) => t.templateId === props.templateId);
  const problems = useMemo(() => fieldProblems(template, props.values), [template, props.values]);
  const mp = props.miniProgram;
  const mpProblems = miniProgramProblems(mp);
  const mpShown = (key: "appid" | "pagepath") =>
    props.showAll || props.touched[`miniprogram.${key}`] ? mpProblems[key] : undefined;
  // Folded until asked for (folded, it still says which mini program is set); open while it shows a problem.
  const [mpExpanded, setMpExpanded] = useState(false);
  const mpOpen = mpExpanded || Boolean(mpShown("appid") || mpShown("pagepath"));
  return (
    <div className="flex flex-col gap-3">
      <label className="flex flex-col gap-1 text-sm">
        模板
        <select
          className={INPUT}
          value={props.templateId}
          onChange={(e) => {
            props.onTemplate(e.target.value);
            props.onValues({});
            props.onTouched({});
          }}
          data-testid="send-template-id"
        >
          {props.templates.map((t) => (
            <option key={t.templateId} value={t.templateId}>
              {t.title}
            </option>
          ))}
        </select>
      </label>
      {template?.fields.map((f) => {
        const problem = props.showAll || props.touched[f.key] ? problems[f.key] : undefined;
        return (
          <label key={f.key} className="flex flex-col gap-1 text-sm">
            {/* The field's key (what the API and WeChat's documentation call it) in a tooltip; what it
                takes, in words, as the input's placeholder. */}
            <span>
              <Term tip={`字段 ${f.key}`}>{f.label}</Term>
            </span>
            <input
              className={INPUT}
              placeholder={(VALUE_RULES[f.type] ?? VALUE_RULES.thing)?.must}
              value={props.values[f.key] ?? ""}
              onChange={(e) => props.onValues({ ...props.values, [f.key]: e.target.value })}
              onBlur={() => props.onTouched({ ...props.touched, [f.key]: true })}
              aria-invalid={Boolean(problem)}
              data-testid={`send-field-${f.key}`}
            />
            {problem && (
              <span className="text-xs text-red-700" data-testid={`send-field-error-${f.key}`}>
                {problem}
              </span>
            )}
          </label>
        );
      })}
      <label className="flex flex-col gap-1 text-sm">
        详情链接（可选；本站页面会自动先登录）
        <input
          className={INPUT}
          value={props.url}
          onChange={(e) => props.onUrl(e.target.value)}
          placeholder="https://"
          data-testid="send-url"
        />
      </label>
      <div className="flex flex-col gap-2 text-sm" data-testid="send-miniprogram">
        <button
          type="button"
          className="self-start text-neutral-700 hover:text-neutral-900"
          aria-expanded={mpOpen}
          // Pressing it must not blur the field being typed in: its problem would appear above and move
          // the button from under the pointer before the click lands.
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => setMpExpanded(!mpOpen)}
          data-testid="send-miniprogram-toggle"
        >
          <span aria-hidden className="inline-block w-4">
            {mpOpen ? "▾" : "▸"}
          </span>
          小程序（可选）
          {!mpOpen && mp.appid.trim() && (
            <span className="ml-2 font-mono text-xs text-neutral-500">{mp.appid.trim()}</span>
          )}
        </button>
        {mpOpen && (
          <div className="flex flex-col gap-3 border-l-2 border-neutral-100 pl-3">
            <p className="text-xs text-neutral-500">
              填写后，用户点消息打开该小程序的页面（须是已关联本公众号的小程序）；微信版本过低打不开小程序时，打开上面的详情链接。
            </p>
            {(
              [
                ["appid", "小程序 AppID", "wx 开头的 18 位"],
                ["pagepath", "页面路径（可选）", "pages/index/index?id=1"],
              ] as const
            ).map(([key, label, placeholder]) => {
              const problem = mpShown(key);
              return (
                <label key={key} className="flex flex-col gap-1">
                  {label}
                  <input
                    className={`${INPUT} font-mono`}
                    value={mp[key]}
                    onChange={(e) => props.onMiniProgram({ ...mp, [key]: e.target.value })}
                    onBlur={() => props.onTouched({ ...props.touched, [`miniprogram.${key}`]: true })}
                    placeholder={placeholder}
                    aria-invalid={Boolean(problem)}
                    data-testid={`send-miniprogram-${key}`}
                  />
                  {problem && (
                    <span className="text-xs text-red-700" data-testid={`send-miniprogram-error-${key}`}>
                      {problem}
                    </span>
                  )}
                </label>
              );
            })}
          </div>
        )}
      </div>
      {template && (
        <TemplatePreview
          title={template.title}
          fields={template.fields}
          values={props.values}
          hasLink={Boolean(props.url.trim())}
          miniProgram={Boolean(miniProgramBody(mp)) && Object.keys(mpProblems).length === 0}
        />
      )}
    </div>
  );
}
