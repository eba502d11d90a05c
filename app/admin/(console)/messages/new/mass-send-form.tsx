"use client";
// 新建群发: the template's fields (checked as typed), the recipients (a tag, or the user list's filter) with
// their count asked of the server as they change, then 开始群发 → the send's page with its progress.
import { App } from "antd";
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";
import { ActionResultMessage } from "../../followers/action-result";
import {
  FIX_FIELDS,
  TemplateFieldsEditor,
  fieldProblems,
  templateData,
  type TemplateOption,
} from "../../templates/fields-editor";
import { NO_MINI_PROGRAM, miniProgramBody, miniProgramProblems } from "../../templates/miniprogram";

const INPUT = "w-full rounded-md border border-neutral-300 px-2 py-1.5 text-sm";
const PRIMARY = "rounded-md bg-emerald-600 px-3 py-1.5 text-sm text-white disabled:opacity-50";

interface Count {
  total: number;
  unsubscribed: number;
  blacklisted: number;
}

export function MassSendForm(props: {
  templates: readonly TemplateOption[];
  tags: readonly { id: number; name: string; count: number }[];
  initialQuery: string;
}) {
  const router = useRouter();
  const [templateId, setTemplateId] = useState(props.templates[0]?.templateId ?? "");
  const [values, setValues] = useState<Record<string, string>>({});
  const [url, setUrl] = useState("");
  const [miniProgram, setMiniProgram] = useState(NO_MINI_PROGRAM);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [tried, setTried] = useState(false);
  const [kind, setKind] = useState<"tag" | "query">(props.initialQuery ? "query" : "tag");
  const [tagId, setTagId] = useState(String(props.tags[0]?.id ?? ""));
  const [query, setQuery] = useState(props.initialQuery);
  const [count, setCount] = useState<Count | null>(null);
  const [countError, setCountError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const { modal } = App.useApp();

  const recipients =
    kind === "tag"
      ? tagId === ""
        ? null
        : { type: "tag" as const, tagId: Number(tagId) }
      : { type: "query" as const, query };

  useEffect(() => {
    if (!recipients) return;
    const controller = new AbortController();
    const params = new URLSearchParams(
      recipients.type === "tag"
        ? { type: "tag", tagId: String(recipients.tagId) }
        : { type: "query", query: recipients.query },
    );
    const timer = setTimeout(async () => {
      const answer = await consoleFetch<{ count: Count }>(`/api/admin/message-jobs/preview?${params}`, {
        signal: controller.signal,
      });
      if (answer.kind === "ok") {
        setCount(answer.data.count);
        setCountError(null);
      }
      if (answer.kind === "error") {
        setCount(null);
        setCountError(answer.message);
      }
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- recipients is derived from these
  }, [kind, tagId, query]);

  if (props.templates.length === 0)
    return <p className="text-sm text-neutral-500">还没有模板：请先到“模板消息”页从微信刷新。</p>;

  const willSend = count ? count.total - count.unsubscribed - count.blacklisted : 0;
  const start = () => {
    setError(null);
    setTried(true);
    const template = props.templates.find((t) => t.templateId === templateId);
    const problems = { ...fieldProblems(template, values), ...miniProgramProblems(miniProgram) };
    // Said by the button too: on a phone the fields marked red are a screen or two above it.
    if (Object.keys(problems).length > 0) return setError(FIX_FIELDS);
    if (!recipients) return;
    modal.confirm({
      title: `确定给 ${willSend.toLocaleString("zh-CN")} 人群发这条模板消息？`,
      content: "开始后可以暂停或取消，但已发出的无法撤回。",
      okText: "开始群发",
      okButtonProps: { "data-testid": "mass-send-confirm" } as never,
      cancelText: "取消",
      onOk: () => send(template),
    });
  };
  const send = (template: (typeof props.templates)[number] | undefined) =>
    startTransition(async () => {
      const answer = await consoleFetch<{ job: { id: string } }>("/api/admin/message-jobs", {
        method: "POST",
        body: {
          templateId,
          data: templateData(template, values),
          ...(url.trim() ? { url: url.trim() } : {}),
          miniprogram: miniProgramBody(miniProgram),
          recipients,
        },
      });
      if (answer.kind === "error") setError(answer.message);
      if (answer.kind === "ok") router.push(`/admin/messages/${answer.data.job.id}`);
    });

  return (
    <form
      className="grid gap-6 rounded-xl bg-white p-5 shadow-sm lg:grid-cols-2"
      aria-label="新建群发"
      data-testid="mass-send"
      onSubmit={(e) => {
        e.preventDefault();
        start();
      }}
    >
      <TemplateFieldsEditor
        templates={props.templates}
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
      <fieldset className="flex flex-col gap-3">
        <legend className="mb-2 text-sm font-medium">发给谁</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" checked={kind === "tag"} onChange={() => setKind("tag")} data-testid="recipients-tag" />
          某个标签下的所有人
        </label>
        {kind === "tag" && (
          <select
            className={INPUT}
            value={tagId}
            onChange={(e) => setTagId(e.target.value)}
            data-testid="recipients-tag-id"
          >
            {props.tags.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}（微信统计 {t.count} 人）
              </option>
            ))}
          </select>
        )}
        <label className="flex items-center gap-2 text-sm">
          <input
            type="radio"
            checked={kind === "query"}
            onChange={() => setKind("query")}
            data-testid="recipients-query"
          />
          用户列表的筛选结果
        </label>
        {kind === "query" && (
          <label className="flex flex-col gap-1 text-sm">
            <span className="text-neutral-500">筛选条件：在“用户”页筛选好后点“群发模板消息”，会自动填在这里。</span>
            <input
              className={`${INPUT} font-mono`}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="subscribed=yes&tag=100"
              data-testid="recipients-query-text"
            />
          </label>
        )}
        <p className="rounded-lg bg-neutral-50 px-4 py-3 text-sm" data-testid="recipients-count">
          {countError
            ? countError
            : count
              ? `共 ${count.total} 人：将发送 ${willSend} 人；已取消关注 ${count.unsubscribed} 人、黑名单 ${count.blacklisted} 人不发送。`
              : "正在统计人数…"}
        </p>
        <ActionResultMessage
          result={error === null ? null : { ok: false, message: error }}
          testId="mass-send-error"
          className="rounded-lg bg-red-50 px-4 py-3 text-sm"
        />
        <div>
          <button
            type="submit"
            className={PRIMARY}
            disabled={pending || !count || willSend === 0}
            data-testid="mass-send-start"
          >
            {pending ? "创建中…" : "开始群发"}
          </button>
        </div>
      </fieldset>
    </form>
  );
}
