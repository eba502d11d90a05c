"use client";
// The rules as a table with inline forms; every change goes through /api/admin/auto-replies and the
// page is refreshed from the server afterwards.
import { App } from "antd";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";

export interface RuleView {
  id: string;
  kind: "subscribe" | "keyword";
  keyword: string;
  match: "exact" | "contains";
  reply: string;
  enabled: boolean;
  updatedAt: string;
}

type Draft = Omit<RuleView, "id" | "updatedAt">;

const EMPTY: Draft = { kind: "keyword", keyword: "", match: "exact", reply: "", enabled: true };
const INPUT = "rounded-md border border-neutral-300 px-2 py-1.5 text-sm";
const BUTTON = "rounded-md px-3 py-1.5 text-sm disabled:opacity-50";

/** What is missing before a rule can be saved, in the staff's words (checked before anything is sent). */
function problem(draft: Draft): string | null {
  if (draft.kind === "keyword" && draft.keyword.trim() === "") return "请填写关键词。";
  if (draft.reply.trim() === "") return "请填写回复内容。";
  return null;
}

/** The route's message (with the reasons of a 400) when the change failed, null when it went through. */
async function send(url: string, method: string, body?: Draft): Promise<string | null> {
  const answer = await consoleFetch(url, { method, body });
  return answer.kind === "error" ? answer.message : null;
}

export function AutoReplyEditor({ rules, canEdit }: { rules: RuleView[]; canEdit: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const hasSubscribe = rules.some((r) => r.kind === "subscribe");

  const { modal } = App.useApp();
  const run = (action: () => Promise<string | null>, onDone?: () => void) =>
    startTransition(async () => {
      const failure = await action();
      setError(failure);
      if (!failure) {
        onDone?.();
        router.refresh();
      }
    });

  return (
    <div className="flex flex-col gap-4">
      {error && (
        <p role="alert" data-testid="auto-reply-error" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800">
          {error}
        </p>
      )}
      {!canEdit && (
        <p className="text-sm text-neutral-500" data-testid="auto-reply-readonly">
          只读：只有管理员可以修改自动回复。
        </p>
      )}
      <section className="rounded-xl bg-white p-5 shadow-sm" aria-label="规则">
        {rules.length === 0 ? (
          <p className="text-sm text-neutral-500" data-testid="auto-reply-empty">
            还没有自动回复。
          </p>
        ) : (
          <ul className="divide-y divide-neutral-100">
            {rules.map((rule) => (
              <RuleRow
                key={`${rule.id}-${rule.updatedAt}`}
                rule={rule}
                canEdit={canEdit}
                pending={pending}
                onSave={(draft) => run(() => send(`/api/admin/auto-replies/${rule.id}`, "PUT", draft))}
                onDelete={() =>
                  modal.confirm({
                    title: rule.kind === "subscribe" ? "删除关注后回复？" : `删除关键词“${rule.keyword}”的回复？`,
                    content: "删除后，粉丝再发这个关键词（或关注）时不会再收到这条回复。",
                    okText: "删除",
                    okButtonProps: { danger: true, "data-testid": "auto-reply-delete-confirm" } as never,
                    cancelText: "取消",
                    onOk: () => run(() => send(`/api/admin/auto-replies/${rule.id}`, "DELETE")),
                  })
                }
              />
            ))}
          </ul>
        )}
      </section>
      {canEdit && (
        <NewRule
          defaultKind={hasSubscribe ? "keyword" : "subscribe"}
          pending={pending}
          onCreate={(draft, reset) => run(() => send("/api/admin/auto-replies", "POST", draft), reset)}
        />
      )}
    </div>
  );
}

function RuleFields({ draft, setDraft, disabled }: { draft: Draft; setDraft: (d: Draft) => void; disabled: boolean }) {
  return (
    <div className="flex flex-wrap items-start gap-2">
      <select
        aria-label="类型"
        data-testid="auto-reply-kind"
        className={INPUT}
        disabled={disabled}
        value={draft.kind}
        onChange={(e) => setDraft({ ...draft, kind: e.target.value as Draft["kind"] })}
      >
        <option value="subscribe">关注后回复</option>
        <option value="keyword">关键词回复</option>
      </select>
      {draft.kind === "keyword" && (
        <>
          <input
            aria-label="关键词"
            data-testid="auto-reply-keyword"
            className={`${INPUT} w-32`}
            disabled={disabled}
            value={draft.keyword}
            maxLength={60}
            onChange={(e) => setDraft({ ...draft, keyword: e.target.value })}
          />
          <select
            aria-label="匹配方式"
            data-testid="auto-reply-match"
            className={INPUT}
            disabled={disabled}
            value={draft.match}
            onChange={(e) => setDraft({ ...draft, match: e.target.value as Draft["match"] })}
          >
            <option value="exact">完全匹配</option>
            <option value="contains">包含</option>
          </select>
        </>
      )}
      <textarea
        aria-label="回复内容"
        data-testid="auto-reply-text"
        className={`${INPUT} min-w-[16rem] flex-1`}
        rows={2}
        disabled={disabled}
        value={draft.reply}
        onChange={(e) => setDraft({ ...draft, reply: e.target.value })}
      />
      <label className="flex items-center gap-1 py-1.5 text-sm">
        <input
          type="checkbox"
          data-testid="auto-reply-enabled"
          disabled={disabled}
          checked={draft.enabled}
          onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
        />
        启用
      </label>
    </div>
  );
}

function RuleRow(props: {
  rule: RuleView;
  canEdit: boolean;
  pending: boolean;
  onSave: (draft: Draft) => void;
  onDelete: () => void;
}) {
  const { rule } = props;
  const saved: Draft = {
    kind: rule.kind,
    keyword: rule.keyword,
    match: rule.match,
    reply: rule.reply,
    enabled: rule.enabled,
  };
  const [draft, setDraft] = useState<Draft>(saved);
  const [invalid, setInvalid] = useState<string | null>(null);
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  return (
    <li
      className="flex flex-col gap-2 py-3"
      data-testid="auto-reply-rule"
      data-kind={rule.kind}
      data-keyword={rule.keyword}
    >
      <RuleFields draft={draft} setDraft={setDraft} disabled={!props.canEdit || props.pending} />
      {invalid && (
        <p role="alert" data-testid="auto-reply-invalid" className="text-sm text-red-700">
          {invalid}
        </p>
      )}
      {props.canEdit && (
        <div className="flex items-center gap-2">
          <button
            type="button"
            data-testid="auto-reply-save"
            className={`${BUTTON} bg-neutral-900 text-white`}
            disabled={props.pending || !dirty}
            onClick={() => {
              const missing = problem(draft);
              setInvalid(missing);
              if (!missing) props.onSave(draft);
            }}
          >
            保存
          </button>
          <button
            type="button"
            data-testid="auto-reply-delete"
            className={`${BUTTON} border border-neutral-300 text-neutral-700`}
            disabled={props.pending}
            onClick={() => props.onDelete()}
          >
            删除
          </button>
          {dirty && (
            <span data-testid="auto-reply-dirty" className="text-sm text-amber-700">
              有未保存的修改
            </span>
          )}
        </div>
      )}
    </li>
  );
}

function NewRule(props: {
  defaultKind: Draft["kind"];
  pending: boolean;
  onCreate: (draft: Draft, reset: () => void) => void;
}) {
  const [draft, setDraft] = useState<Draft>({ ...EMPTY, kind: props.defaultKind });
  const [invalid, setInvalid] = useState<string | null>(null);
  return (
    <section className="rounded-xl bg-white p-5 shadow-sm" aria-label="新增规则" data-testid="auto-reply-new">
      <h2 className="mb-3 text-sm font-medium text-neutral-600">新增规则</h2>
      <RuleFields draft={draft} setDraft={setDraft} disabled={props.pending} />
      {invalid && (
        <p role="alert" data-testid="auto-reply-invalid" className="mt-2 text-sm text-red-700">
          {invalid}
        </p>
      )}
      <button
        type="button"
        data-testid="auto-reply-create"
        className={`${BUTTON} mt-2 bg-neutral-900 text-white`}
        disabled={props.pending}
        onClick={() => {
          const missing = problem(draft);
          setInvalid(missing);
          // Added: the form is emptied for the next rule (a second press no longer meets a 409).
          if (!missing) props.onCreate(draft, () => setDraft({ ...EMPTY, kind: "keyword" }));
        }}
      >
        添加
      </button>
    </section>
  );
}
