"use client";
// Sending to one person from their page: a template message, checked field by field as it is typed
// (WeChat's value rules, the reason next to the field) with a preview of how it reads in the chat; and a
// customer service reply, offered while the 48-hour window is open.
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { consoleFetch, type ActionResult } from "@/app/admin/console-fetch";
import { ActionResultMessage } from "../../followers/action-result";
import { TemplateFieldsEditor, fieldProblems, templateData, type TemplateOption } from "../../templates/fields-editor";
import { NO_MINI_PROGRAM, miniProgramBody, miniProgramProblems } from "../../templates/miniprogram";
import { FIX_FIELDS } from "../../templates/fields-editor";

const INPUT = "w-full rounded-md border border-neutral-300 px-2 py-1.5 text-sm";
const PRIMARY = "rounded-md bg-emerald-600 px-3 py-1.5 text-sm text-white disabled:opacity-50";

export function SendTemplateForm({ userId, templates }: { userId: string; templates: readonly TemplateOption[] }) {
  const router = useRouter();
  const [templateId, setTemplateId] = useState(templates[0]?.templateId ?? "");
  const [values, setValues] = useState<Record<string, string>>({});
  const [url, setUrl] = useState("");
  const [miniProgram, setMiniProgram] = useState(NO_MINI_PROGRAM);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [tried, setTried] = useState(false);
  const [notice, setNotice] = useState<ActionResult | null>(null);
  const [pending, startTransition] = useTransition();

  if (templates.length === 0)
    return (
      <p className="text-sm text-neutral-500" data-testid="send-no-templates">
        还没有模板：请先到“模板消息”页从微信刷新。
      </p>
    );

  const send = () =>
    startTransition(async () => {
      setNotice(null);
      setTried(true);
      const template = templates.find((t) => t.templateId === templateId);
      if (Object.keys({ ...fieldProblems(template, values), ...miniProgramProblems(miniProgram) }).length > 0) {
        // Said by the button too: on a phone the fields marked red are a screen or two above it.
        setNotice({ ok: false, message: FIX_FIELDS });
        return;
      }
      const answer = await consoleFetch<{ message: { status: string; error: string | null } }>(
        `/api/admin/users/${encodeURIComponent(userId)}/template-message`,
        {
          method: "POST",
          body: {
            templateId,
            data: templateData(template, values),
            ...(url.trim() ? { url: url.trim() } : {}),
            miniprogram: miniProgramBody(miniProgram),
          },
        },
      );
      if (answer.kind === "error") setNotice({ ok: false, message: answer.message });
      if (answer.kind === "ok") {
        const m = answer.data.message;
        setNotice(
          m.status === "skipped"
            ? { ok: false, message: m.error ?? "未发送。" }
            : { ok: true, message: "已发送，等待微信回执。" },
        );
        router.refresh();
      }
    });

  return (
    <form
      aria-label="发送模板消息"
      className="flex flex-col gap-3"
      data-testid="send-template"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <h3 className="text-sm font-medium">发送模板消息</h3>
      <TemplateFieldsEditor
        templates={templates}
        templateId={templateId}
        onTemplate={setTemplateId}
        values={values}
        onValues={setValues}
        url={url}
        onUrl={setUrl}
        miniProgram={miniProgram}
        onMiniProgram={setMiniProgram}
        showAll={tried}
        touched={touched}
        onTouched={setTouched}
      />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={PRIMARY} disabled={pending} data-testid="send-template-submit">
          {pending ? "发送中…" : "发送"}
        </button>
        <ActionResultMessage result={notice} testId="send-notice" />
      </div>
    </form>
  );
}

export function ReplyBox(props: {
  userId: string;
  open: boolean;
  until: string | null;
  lastAt: string | null;
  repliesLeft: number;
}) {
  const router = useRouter();
  const [text, setText] = useState("");
  const [notice, setNotice] = useState<ActionResult | null>(null);
  const [pending, startTransition] = useTransition();
  const usable = props.open && props.repliesLeft > 0;
  return (
    <form
      aria-label="客服回复"
      className="flex flex-col gap-3"
      data-testid="reply-box"
      data-open={String(props.open)}
      onSubmit={(e) => {
        e.preventDefault();
        startTransition(async () => {
          setNotice(null);
          const answer = await consoleFetch(`/api/admin/users/${encodeURIComponent(props.userId)}/reply`, {
            method: "POST",
            body: { text },
          });
          if (answer.kind === "error") setNotice({ ok: false, message: answer.message });
          if (answer.kind === "ok") {
            setText("");
            setNotice({ ok: true, message: "已回复。" });
            router.refresh();
          }
        });
      }}
    >
      <h3 className="text-sm font-medium">客服回复</h3>
      <p className="text-sm text-neutral-500" data-testid="reply-window">
        {props.open
          ? `可以回复至 ${props.until}（对方最近一次互动：${props.lastAt}；还可连续回复 ${props.repliesLeft} 条）。`
          : props.lastAt
            ? `对方最近一次互动是 ${props.lastAt}，已超过 48 小时，不能主动回复；等对方发消息或操作菜单后再回。`
            : "对方还没有给公众号发过消息或操作过，不能主动回复。"}
      </p>
      <textarea
        className={`${INPUT} min-h-24`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        disabled={!usable}
        placeholder={usable ? "回复内容（最多 2048 字节）" : "当前不能回复"}
        data-testid="reply-text"
      />
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          className={PRIMARY}
          disabled={!usable || pending || !text.trim()}
          data-testid="reply-submit"
        >
          {pending ? "发送中…" : "回复"}
        </button>
        <ActionResultMessage result={notice} testId="reply-notice" />
      </div>
    </form>
  );
}
