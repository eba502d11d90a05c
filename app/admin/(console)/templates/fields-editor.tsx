"use client";
// A template's fields as inputs, each checked as it is typed against WeChat's value rules (the reason
// next to the field), beside a preview of the message in WeChat's chat. Used by the person's page (send to
// one) and by 新建群发.
import { useMemo } from "react";
import { valueProblem, type TemplateField } from "@/lib/wechat/template";
import { TemplatePreview } from "./preview";

const INPUT = "w-full rounded-md border border-neutral-300 px-2 py-1.5 text-sm";

export interface TemplateOption {
  templateId: string;
  title: string;
  fields: readonly TemplateField[];
}

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
  /** show every field's problem (after a send was tried), not only those of fields left */
  showAll: boolean;
  touched: Record<string, boolean>;
  onTouched: (touched: Record<string, boolean>) => void;
}) {
  const template = props.templates.find((t) => t.templateId === props.templateId);
  const problems = useMemo(() => fieldProblems(template, props.values), [template, props.values]);
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
            <span>
              {f.label} <span className="font-mono text-xs text-neutral-400">{f.key}</span>
            </span>
            <input
              className={INPUT}
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
      {template && (
        <TemplatePreview
          title={template.title}
          fields={template.fields}
          values={props.values}
          hasLink={Boolean(props.url.trim())}
        />
      )}
    </div>
  );
}
