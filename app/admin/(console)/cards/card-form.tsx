"use client";
// 新建卡券: the five common kinds, judged as typed by WeChat's rules as lib/wechat/card states them (the same
// schema the server runs, so what the form lets through the route accepts), amounts in ¥ sent as fen, a
// logo sent to media/uploadimg through /api/admin/card-logos, and the coupon's likeness beside the form.
// Created cards wait for WeChat's review: the card's page says how it went.
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState, useTransition } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";
import { beijingTime } from "@/app/admin/beijing-time";
import { Term } from "@/app/admin/term";
import { beijingDateSeconds, yuanToFen } from "@/lib/cards/model";
import {
  CARD_COLOR_NAMES,
  CARD_COLORS,
  CARD_LIMITS,
  CARD_TYPE_LABELS,
  CARD_TYPES,
  utf8Bytes,
  type CardType,
  type CodeType,
} from "@/lib/wechat/card/draft";
import { checkLogo } from "@/lib/wechat/card/logo";
import {
  createBody,
  formProblems,
  initialValues,
  problemsByField,
  type CardFormValues,
  type FormField,
  type UploadedLogo,
} from "./card-form-state";
import { CardPreview } from "./card-preview";

const INPUT = "w-full rounded-md border border-neutral-300 px-2 py-1.5 text-sm aria-[invalid=true]:border-red-500";
const PRIMARY = "rounded-md bg-emerald-600 px-3 py-1.5 text-sm text-white disabled:opacity-50";

const CODE_TYPE_LABELS: Partial<Record<CodeType, string>> = {
  CODE_TYPE_QRCODE: "二维码",
  CODE_TYPE_BARCODE: "一维码（条形码）",
  CODE_TYPE_TEXT: "文本券码",
  CODE_TYPE_NONE: "不显示券码",
};

/** The type's own text field: its label and limit. */
const TYPE_TEXT: Partial<Record<CardType, { field: "dealDetail" | "gift" | "defaultDetail"; label: string }>> = {
  GROUPON: { field: "dealDetail", label: "团购详情" },
  GIFT: { field: "gift", label: "兑换内容" },
  GENERAL_COUPON: { field: "defaultDetail", label: "优惠详情" },
};

function Field({
  label,
  error,
  testId,
  hint,
  children,
  className = "",
}: {
  label: React.ReactNode;
  error: string | undefined;
  testId: string;
  hint?: React.ReactNode;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <label className={`flex flex-col gap-1 text-sm ${className}`}>
      <span className="flex flex-wrap items-baseline justify-between gap-x-2">
        <span>{label}</span>
        {hint && <span className="text-xs text-neutral-500">{hint}</span>}
      </span>
      {children}
      {error && (
        <span role="alert" className="text-xs text-red-700" data-testid={`${testId}-error`}>
          {error}
        </span>
      )}
    </label>
  );
}

/** "12/27 字节": how much of a text's room is used, red past it. */
function Bytes({ text, max }: { text: string; max: number }) {
  const used = utf8Bytes(text);
  return <span className={used > max ? "text-red-700" : undefined}>{`${used}/${max} 字节`}</span>;
}

function validityText(values: CardFormValues): string {
  if (values.dateType === "DATE_TYPE_FIX_TERM") {
    const begin = Number(values.fixedBeginTerm);
    return `领取后${begin > 0 ? ` ${begin} 天` : "当天"}生效，${values.fixedTerm || "?"} 天内有效`;
  }
  const begin = beijingDateSeconds(values.begin);
  const end = beijingDateSeconds(values.end, true);
  const day = (s: number | null) => (s === null ? "?" : beijingTime(s * 1000, "YYYY.MM.DD"));
  return `有效期 ${day(begin)} - ${day(end)}`;
}

export function CardForm({ today, inAMonth }: { today: string; inAMonth: string }) {
  const router = useRouter();
  const [values, setValues] = useState<CardFormValues>(() => initialValues(today, inAMonth));
  const [logo, setLogo] = useState<UploadedLogo | null>(null);
  const [logoProblem, setLogoProblem] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const [touched, setTouched] = useState<Partial<Record<FormField, boolean>>>({});
  const [tried, setTried] = useState(false);
  const [serverProblems, setServerProblems] = useState<Partial<Record<FormField, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  // The clock moves while the form is open: an end time judged "in the future" is judged again each minute.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);

  const problems = useMemo(() => formProblems(values, logo, now), [values, logo, now]);
  const shown = (field: FormField): string | undefined => {
    if (field === "logo" && logoProblem) return logoProblem;
    if (serverProblems[field]) return serverProblems[field];
    return tried || touched[field] ? problems[field] : undefined;
  };

  const set = <K extends keyof CardFormValues>(field: K, value: CardFormValues[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
    setServerProblems((p) => ({ ...p, [field]: undefined }));
  };
  const text = (field: keyof CardFormValues, testId: string) => ({
    value: values[field] as string,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      set(field, e.target.value as CardFormValues[typeof field]),
    className: INPUT,
    "aria-invalid": shown(field) !== undefined,
    "data-testid": testId,
  });

  const upload = async (file: File | undefined) => {
    setLogoProblem(null);
    setTouched((t) => ({ ...t, logo: true }));
    setServerProblems((p) => ({ ...p, logo: undefined }));
    if (!file) return;
    // The server judges the bytes again; this only spares sending a file WeChat would refuse.
    const check = checkLogo(new Uint8Array(await file.arrayBuffer()));
    if (!check.ok) return setLogoProblem(check.message);
    setUploading(true);
    const form = new FormData();
    form.append("logo", file);
    try {
      const response = await fetch("/api/admin/card-logos", { method: "POST", body: form, cache: "no-store" });
      const json = (await response.json().catch(() => undefined)) as
        { logo?: UploadedLogo; error?: { message?: string } } | undefined;
      if (response.ok && json?.logo) setLogo(json.logo);
      else setLogoProblem(json?.error?.message ?? `上传失败（HTTP ${response.status}），请重试。`);
    } catch {
      setLogoProblem("网络异常，logo 未上传，请重试。");
    } finally {
      setUploading(false);
    }
  };

  const submit = () => {
    setTried(true);
    setError(null);
    if (Object.keys(problems).length > 0 || logoProblem) return setError("请先改正标红的项（微信会拒绝这样的卡券）。");
    startTransition(async () => {
      const answer = await consoleFetch<{ card: { id: string } }>("/api/admin/cards", {
        method: "POST",
        body: createBody(values, logo),
      });
      if (answer.kind === "error") {
        setError(answer.message);
        if (answer.fields) setServerProblems(problemsByField(answer.fields));
      }
      if (answer.kind === "ok") router.push(`/admin/cards/${answer.data.card.id}`);
    });
  };

  const typeText = TYPE_TEXT[values.type];
  return (
    <section aria-label="新建卡券" className="rounded-xl bg-white p-5 shadow-sm" data-testid="card-form">
      <h2 className="mb-3 font-medium">新建卡券</h2>
      <div className="grid gap-6 lg:grid-cols-[1fr_320px]">
        <form
          className="flex flex-col gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm">类型</legend>
            <div className="flex flex-wrap gap-2" role="radiogroup" aria-label="卡券类型">
              {CARD_TYPES.map((type) => (
                <label
                  key={type}
                  className={`cursor-pointer rounded-md border px-3 py-1.5 text-sm ${values.type === type ? "border-emerald-600 bg-emerald-50 text-emerald-800" : "border-neutral-300"}`}
                >
                  <input
                    type="radio"
                    name="card-type"
                    className="sr-only"
                    checked={values.type === type}
                    onChange={() => set("type", type)}
                    data-testid={`card-type-${type}`}
                  />
                  {CARD_TYPE_LABELS[type]}
                </label>
              ))}
            </div>
          </fieldset>

          <div className="grid gap-3 sm:grid-cols-2">
            <Field
              label="商户名称"
              error={shown("brandName")}
              testId="card-brand"
              hint={<Bytes text={values.brandName} max={CARD_LIMITS.brandNameBytes} />}
            >
              <input {...text("brandName", "card-brand")} placeholder="如：示例咖啡" />
            </Field>
            <Field
              label="卡券名称"
              error={shown("title")}
              testId="card-title"
              hint={<Bytes text={values.title} max={CARD_LIMITS.titleBytes} />}
            >
              <input {...text("title", "card-title")} placeholder="如：10 元代金券" />
            </Field>
          </div>

          <div className="flex flex-col gap-1 text-sm">
            <span>
              logo <span className="text-xs text-neutral-500">JPG 或 PNG，最大 1 MB，建议 300×300 像素</span>
            </span>
            <div className="flex items-center gap-3">
              {logo && (
                // eslint-disable-next-line @next/next/no-img-element -- our own copy of the logo
                <img
                  src={logo.previewUrl}
                  alt="已上传的 logo"
                  width={40}
                  height={40}
                  className="h-10 w-10 rounded-full object-cover"
                  data-testid="card-logo-uploaded"
                />
              )}
              <input
                type="file"
                accept="image/png,image/jpeg"
                aria-label="上传 logo"
                className="text-sm"
                disabled={uploading}
                onChange={(e) => void upload(e.target.files?.[0])}
                data-testid="card-logo"
              />
              {uploading && <span className="text-xs text-neutral-500">上传中…</span>}
            </div>
            {shown("logo") && (
              <span role="alert" className="text-xs text-red-700" data-testid="card-logo-error">
                {shown("logo")}
              </span>
            )}
          </div>

          <fieldset className="flex flex-col gap-1 text-sm">
            <legend className="mb-1">卡券颜色</legend>
            <div className="flex flex-wrap gap-1.5" role="radiogroup" aria-label="卡券颜色">
              {CARD_COLOR_NAMES.map((name) => (
                <label key={name} title={name} className="cursor-pointer">
                  <input
                    type="radio"
                    name="card-color"
                    className="peer sr-only"
                    checked={values.color === name}
                    onChange={() => set("color", name)}
                    aria-label={name}
                    data-testid={`card-color-${name}`}
                  />
                  <span
                    className="block h-7 w-7 rounded-full ring-offset-2 peer-checked:ring-2 peer-checked:ring-neutral-800 peer-focus-visible:ring-2"
                    style={{ background: CARD_COLORS[name] }}
                  />
                </label>
              ))}
            </div>
            {shown("color") && <span className="text-xs text-red-700">{shown("color")}</span>}
          </fieldset>

          {values.type === "CASH" && (
            <div className="grid gap-3 sm:grid-cols-2">
              <Field label="减免金额（元）" error={shown("reduceCost")} testId="card-reduce-cost">
                <input {...text("reduceCost", "card-reduce-cost")} inputMode="decimal" placeholder="如：10" />
              </Field>
              <Field
                label={<Term tip="消费满这个金额才能使用；填 0 为无门槛。须不低于减免金额。">起用金额（元）</Term>}
                error={shown("leastCost")}
                testId="card-least-cost"
                hint={(() => {
                  const fen = yuanToFen(values.leastCost);
                  return fen !== null ? `${fen.toLocaleString("zh-CN")} 分` : undefined;
                })()}
              >
                <input {...text("leastCost", "card-least-cost")} inputMode="decimal" />
              </Field>
            </div>
          )}
          {values.type === "DISCOUNT" && (
            <Field
              label={<Term tip="打折的百分比：填 30 即减免 30%，也就是打七折。">折扣额度（%）</Term>}
              error={shown("discount")}
              testId="card-discount"
            >
              <input {...text("discount", "card-discount")} inputMode="numeric" placeholder="如：30（即七折）" />
            </Field>
          )}
          {typeText && (
            <Field
              label={typeText.label}
              error={shown(typeText.field)}
              testId={`card-${typeText.field}`}
              hint={<Bytes text={values[typeText.field]} max={CARD_LIMITS.detailBytes} />}
            >
              <textarea {...text(typeText.field, `card-${typeText.field}`)} rows={2} />
            </Field>
          )}

          <fieldset className="flex flex-col gap-2 text-sm">
            <legend className="mb-1">有效期（北京时间）</legend>
            <div className="flex flex-wrap gap-4">
              <label className="flex items-center gap-1.5">
                <input
                  type="radio"
                  name="card-date"
                  checked={values.dateType === "DATE_TYPE_FIX_TIME_RANGE"}
                  onChange={() => set("dateType", "DATE_TYPE_FIX_TIME_RANGE")}
                  data-testid="card-date-range"
                />
                固定日期
              </label>
              <label className="flex items-center gap-1.5">
                <input
                  type="radio"
                  name="card-date"
                  checked={values.dateType === "DATE_TYPE_FIX_TERM"}
                  onChange={() => set("dateType", "DATE_TYPE_FIX_TERM")}
                  data-testid="card-date-term"
                />
                领取后若干天
              </label>
            </div>
            {values.dateType === "DATE_TYPE_FIX_TIME_RANGE" ? (
              <div className="grid gap-3 sm:grid-cols-2">
                <Field label="开始日期" error={shown("begin")} testId="card-begin">
                  <input {...text("begin", "card-begin")} type="date" />
                </Field>
                <Field label="结束日期（当天 23:59 止）" error={shown("end")} testId="card-end">
                  <input {...text("end", "card-end")} type="date" />
                </Field>
              </div>
            ) : (
              <div className="grid gap-3 sm:grid-cols-2">
                <Field label="领取后几天生效（0 为当天）" error={shown("fixedBeginTerm")} testId="card-fixed-begin">
                  <input {...text("fixedBeginTerm", "card-fixed-begin")} inputMode="numeric" />
                </Field>
                <Field label="生效后有效天数" error={shown("fixedTerm")} testId="card-fixed-term">
                  <input {...text("fixedTerm", "card-fixed-term")} inputMode="numeric" />
                </Field>
              </div>
            )}
          </fieldset>

          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="库存（张）" error={shown("quantity")} testId="card-quantity">
              <input {...text("quantity", "card-quantity")} inputMode="numeric" />
            </Field>
            <Field label="每人限领（张）" error={shown("getLimit")} testId="card-get-limit">
              <input {...text("getLimit", "card-get-limit")} inputMode="numeric" />
            </Field>
            <Field label="券码展示" error={shown("codeType")} testId="card-code-type">
              <select
                className={INPUT}
                value={values.codeType}
                onChange={(e) => set("codeType", e.target.value as CodeType)}
                data-testid="card-code-type"
              >
                {Object.entries(CODE_TYPE_LABELS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </Field>
          </div>

          <Field
            label="使用提醒"
            error={shown("notice")}
            testId="card-notice"
            hint={<Bytes text={values.notice} max={CARD_LIMITS.noticeBytes} />}
          >
            <input {...text("notice", "card-notice")} />
          </Field>
          <Field
            label="使用说明"
            error={shown("description")}
            testId="card-description"
            hint={<Bytes text={values.description} max={CARD_LIMITS.descriptionBytes} />}
          >
            <textarea
              {...text("description", "card-description")}
              rows={3}
              placeholder="如：全场通用，不与其他优惠同享。"
            />
          </Field>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="客服电话（可选）" error={shown("servicePhone")} testId="card-service-phone">
              <input {...text("servicePhone", "card-service-phone")} inputMode="tel" />
            </Field>
            <div className="flex flex-col justify-end gap-1 text-sm">
              <label className="flex items-center gap-1.5">
                <input type="checkbox" checked={values.canShare} onChange={(e) => set("canShare", e.target.checked)} />
                可分享领取链接
              </label>
              <label className="flex items-center gap-1.5">
                <input
                  type="checkbox"
                  checked={values.canGiveFriend}
                  onChange={(e) => set("canGiveFriend", e.target.checked)}
                />
                可转赠给朋友
              </label>
            </div>
          </div>

          {error && (
            <p role="alert" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800" data-testid="card-error">
              {error}
            </p>
          )}
          {(shown("form") || shown("dateType") || shown("type")) && (
            <p role="alert" className="text-sm text-red-700">
              {shown("form") ?? shown("dateType") ?? shown("type")}
            </p>
          )}
          <div>
            <button type="submit" className={PRIMARY} disabled={pending || uploading} data-testid="card-create">
              {pending ? "提交中…" : "提交微信审核"}
            </button>
          </div>
        </form>
        <div className="lg:sticky lg:top-4 lg:self-start">
          <CardPreview
            card={{
              type: values.type,
              brandName: values.brandName,
              title: values.title,
              color: values.color,
              notice: values.notice,
              validity: validityText(values),
              leastCost: yuanToFen(values.leastCost),
              reduceCost: yuanToFen(values.reduceCost),
              discount: values.discount.trim() === "" ? null : Number(values.discount),
              detail: typeText ? values[typeText.field] : undefined,
              logoSrc: logo?.previewUrl ?? null,
            }}
          />
        </div>
      </div>
    </section>
  );
}
