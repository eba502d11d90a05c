// 新建卡券's values as typed (text, ¥ amounts, Beijing dates) and the card draft they make. WeChat's rules
// are not copied here: the draft is judged by lib/wechat/card's own schema (the one the server runs), and
// its problems land on the form's fields. The only checks of this file are the form's own: an amount that
// is not yuan, a date that is not a date.
import { beijingDateSeconds, yuanToFen } from "@/lib/cards/model";
import {
  CARD_COLOR_NAMES,
  cardDraftProblems,
  type CardColor,
  type CardProblem,
  type CardType,
  type CodeType,
} from "@/lib/wechat/card/draft";

export type DateKind = "DATE_TYPE_FIX_TIME_RANGE" | "DATE_TYPE_FIX_TERM";

export interface CardFormValues {
  type: CardType;
  brandName: string;
  title: string;
  color: CardColor;
  notice: string;
  description: string;
  codeType: CodeType;
  servicePhone: string;
  quantity: string;
  getLimit: string;
  canShare: boolean;
  canGiveFriend: boolean;
  dateType: DateKind;
  /** Beijing dates, as a date input gives them ("2026-12-04"). */
  begin: string;
  end: string;
  fixedTerm: string;
  fixedBeginTerm: string;
  dealDetail: string;
  /** ¥ */
  leastCost: string;
  /** ¥ */
  reduceCost: string;
  /** percent off: 30 = 七折 */
  discount: string;
  gift: string;
  defaultDetail: string;
}

/** The form's fields a problem can sit on ("logo" for the picture, "form" for the whole draft). */
export type FormField = keyof CardFormValues | "logo" | "form";

export interface UploadedLogo {
  readonly id: string;
  /** WeChat's address (mmbiz.qpic.cn): what the draft names. */
  readonly url: string;
  /** Our copy, for the preview. */
  readonly previewUrl: string;
}

export function initialValues(today: string, inAMonth: string): CardFormValues {
  return {
    type: "CASH",
    brandName: "",
    title: "",
    color: CARD_COLOR_NAMES[0]!,
    notice: "请出示二维码核销卡券",
    description: "",
    codeType: "CODE_TYPE_QRCODE",
    servicePhone: "",
    quantity: "100",
    getLimit: "1",
    canShare: true,
    canGiveFriend: false,
    dateType: "DATE_TYPE_FIX_TIME_RANGE",
    begin: today,
    end: inAMonth,
    fixedTerm: "30",
    fixedBeginTerm: "0",
    dealDetail: "",
    leastCost: "0",
    reduceCost: "",
    discount: "",
    gift: "",
    defaultDetail: "",
  };
}

/** A number field as the schema reads it: missing when blank, NaN (须为数字) when not a number. */
const num = (text: string): number | undefined => (text.trim() === "" ? undefined : Number(text.trim()));

/**
 * The draft these values make (lib/wechat/card's CardDraftInput shape, with `logoUrl`), and the form's own
 * problems: amounts that are not yuan, dates that are not dates.
 */
export function draftOf(
  values: CardFormValues,
  logo: UploadedLogo | null,
): { draft: Record<string, unknown>; formProblems: Partial<Record<FormField, string>> } {
  const formProblems: Partial<Record<FormField, string>> = {};
  const fen = (field: "leastCost" | "reduceCost") => {
    const text = values[field];
    if (text.trim() === "") return undefined;
    const value = yuanToFen(text);
    if (value === null) {
      formProblems[field] = "金额按元填写，如 10 或 9.9（最多两位小数）。";
      return Number.NaN;
    }
    return value;
  };
  const day = (field: "begin" | "end", endOfDay: boolean) => {
    if (values[field] === "") return undefined;
    const seconds = beijingDateSeconds(values[field], endOfDay);
    if (seconds === null) {
      formProblems[field] = "请选择日期。";
      return Number.NaN;
    }
    return seconds;
  };
  const date =
    values.dateType === "DATE_TYPE_FIX_TIME_RANGE"
      ? { type: values.dateType, beginTimestamp: day("begin", false), endTimestamp: day("end", true) }
      : { type: values.dateType, fixedTerm: num(values.fixedTerm), fixedBeginTerm: num(values.fixedBeginTerm) };
  const special =
    values.type === "GROUPON"
      ? { dealDetail: values.dealDetail }
      : values.type === "CASH"
        ? { leastCost: fen("leastCost"), reduceCost: fen("reduceCost") }
        : values.type === "DISCOUNT"
          ? { discount: num(values.discount) }
          : values.type === "GIFT"
            ? { gift: values.gift }
            : { defaultDetail: values.defaultDetail };
  const draft = {
    type: values.type,
    logoUrl: logo?.url,
    brandName: values.brandName,
    title: values.title,
    color: values.color,
    notice: values.notice,
    description: values.description,
    codeType: values.codeType,
    ...(values.servicePhone.trim() !== "" ? { servicePhone: values.servicePhone.trim() } : {}),
    quantity: num(values.quantity),
    getLimit: num(values.getLimit),
    canShare: values.canShare,
    canGiveFriend: values.canGiveFriend,
    date,
    ...special,
  };
  return { draft, formProblems };
}

/** The draft's field a problem names ("date.endTimestamp", as the schema and the route's 422 say) on the form. */
export function formFieldOf(field: string): FormField {
  switch (field) {
    case "logoUrl":
    case "logoId":
    case "logo":
      return "logo";
    case "date.beginTimestamp":
      return "begin";
    case "date.endTimestamp":
      return "end";
    case "date.fixedTerm":
      return "fixedTerm";
    case "date.fixedBeginTerm":
      return "fixedBeginTerm";
    case "date":
    case "date.type":
      return "dateType";
    case "":
      return "form";
    default:
      return field as FormField;
  }
}

/** Problems (the schema's, or a 422's `fields`) by form field, the first one each; the form's own come first. */
export function problemsByField(
  problems: readonly Pick<CardProblem, "field" | "message">[],
  formProblems: Partial<Record<FormField, string>> = {},
): Partial<Record<FormField, string>> {
  const out: Partial<Record<FormField, string>> = { ...formProblems };
  for (const p of problems) {
    const field = formFieldOf(p.field);
    out[field] ??= p.message;
  }
  return out;
}

/** Every problem of these values, judged as the server judges them (same schema, same clock rule). */
export function formProblems(
  values: CardFormValues,
  logo: UploadedLogo | null,
  nowMs: number,
): Partial<Record<FormField, string>> {
  const { draft, formProblems } = draftOf(values, logo);
  return problemsByField(cardDraftProblems(draft, nowMs), formProblems);
}

/** POST /api/admin/cards's body: the draft with our logo's id instead of WeChat's address. */
export function createBody(values: CardFormValues, logo: UploadedLogo | null): Record<string, unknown> {
  const { logoUrl: _logoUrl, ...draft } = draftOf(values, logo).draft;
  return { ...draft, ...(logo ? { logoId: logo.id } : {}) };
}
