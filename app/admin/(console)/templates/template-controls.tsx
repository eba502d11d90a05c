"use client";
// The templates page's buttons: 从微信刷新, 添加模板 (by its number in WeChat's template library) and 删除.
import { App } from "antd";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";
import { ActionResultMessage } from "../followers/action-result";

const INPUT = "rounded-md border border-neutral-300 px-2 py-1.5 text-sm";
const BUTTON = "rounded-md border border-neutral-300 px-3 py-1.5 text-sm disabled:opacity-50";
const failed = (error: string | null) => (error === null ? null : { ok: false as const, message: error });

export function RefreshTemplates() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-col items-end gap-1">
      <button
        type="button"
        className={BUTTON}
        disabled={pending}
        data-testid="template-refresh"
        onClick={() =>
          startTransition(async () => {
            setError(null);
            const answer = await consoleFetch("/api/admin/templates/refresh", { method: "POST", body: {} });
            if (answer.kind === "error") setError(answer.message);
            else router.refresh();
          })
        }
      >
        {pending ? "刷新中…" : "从微信刷新"}
      </button>
      <ActionResultMessage result={failed(error)} testId="template-refresh-error" />
    </div>
  );
}

export function AddTemplate() {
  const router = useRouter();
  const [shortId, setShortId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <form
      aria-label="添加模板"
      className="flex flex-wrap items-end gap-3 rounded-xl bg-white p-5 shadow-sm"
      onSubmit={(e) => {
        e.preventDefault();
        startTransition(async () => {
          setError(null);
          const answer = await consoleFetch("/api/admin/templates", { method: "POST", body: { shortId } });
          if (answer.kind === "error") setError(answer.message);
          if (answer.kind === "ok") {
            setShortId("");
            router.refresh();
          }
        });
      }}
    >
      <label className="flex flex-col gap-1 text-sm">
        模板库编号
        <input
          className={INPUT}
          value={shortId}
          onChange={(e) => setShortId(e.target.value)}
          placeholder="如：OPENTM207498902"
          data-testid="template-short-id"
        />
      </label>
      <button type="submit" className={BUTTON} disabled={pending || !shortId.trim()} data-testid="template-add">
        {pending ? "添加中…" : "添加模板"}
      </button>
      <ActionResultMessage result={failed(error)} testId="template-error" className="w-full text-sm" />
    </form>
  );
}

export function DeleteTemplate({ templateId, title }: { templateId: string; title: string }) {
  const { modal } = App.useApp();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex shrink-0 flex-col items-end gap-1">
      <button
        type="button"
        className={`${BUTTON} text-red-700`}
        disabled={pending}
        data-testid="template-delete"
        onClick={() =>
          modal.confirm({
            title: `删除模板“${title}”？`,
            content: "微信上的模板也会删除，用它发送中的消息会失败。",
            okText: "删除",
            okButtonProps: { danger: true, "data-testid": "template-delete-confirm" } as never,
            cancelText: "取消",
            onOk: () =>
              startTransition(async () => {
                setError(null);
                const answer = await consoleFetch(`/api/admin/templates/${encodeURIComponent(templateId)}`, {
                  method: "DELETE",
                });
                if (answer.kind === "error") setError(answer.message);
                else router.refresh();
              }),
          })
        }
      >
        删除
      </button>
      <ActionResultMessage result={failed(error)} testId="template-delete-error" className="text-xs" />
    </div>
  );
}
