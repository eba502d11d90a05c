"use client";
// The user page's follower controls: tags (add, remove), the remark (under 30 characters), block/unblock.
// Each posts to its admin route, which calls WeChat first; the answer is shown in Chinese.
import { App } from "antd";
import { useState } from "react";
import { ActionResultMessage } from "./action-result";
import { consoleFetch, useConsoleAction } from "@/app/admin/console-fetch";

// 14 px text and a 32 px target, like the console's antd buttons (12 px inline buttons were too small).
const BUTTON =
  "min-h-8 rounded-md border border-neutral-300 bg-white px-3 py-1 text-sm text-neutral-700 hover:bg-neutral-100 disabled:opacity-50";
const REMARK_MAX = 30;

export function TagEditor({
  userId,
  tags,
  allTags,
  canEdit,
}: {
  userId: string;
  tags: readonly { id: number; name: string }[];
  allTags: readonly { id: number; name: string }[];
  canEdit: boolean;
}) {
  const { busy, result, act } = useConsoleAction();
  const [adding, setAdding] = useState("");
  const available = allTags.filter((t) => !tags.some((mine) => mine.id === t.id));
  return (
    <div data-testid="follower-tags">
      <div className="flex flex-wrap items-center gap-1">
        {tags.length === 0 && <span className="text-neutral-500">—</span>}
        {tags.map((tag) => (
          <span
            key={tag.id}
            data-testid="follower-tag"
            className="inline-flex items-center gap-1 rounded bg-emerald-50 px-2 py-0.5 text-xs text-emerald-800"
          >
            {tag.name}
            {canEdit && (
              <button
                type="button"
                aria-label={`移除标签 ${tag.name}`}
                disabled={busy}
                data-testid="follower-tag-remove"
                className="text-emerald-700 hover:text-red-700"
                onClick={() =>
                  void act(
                    consoleFetch(`/api/admin/tags/${tag.id}/members`, {
                      method: "POST",
                      body: { userIds: [userId], action: "remove" },
                    }),
                    `已移除标签“${tag.name}”。`,
                  )
                }
              >
                ×
              </button>
            )}
          </span>
        ))}
      </div>
      {canEdit && available.length > 0 && (
        <form
          className="mt-2 flex items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!adding) return;
            const name = allTags.find((t) => String(t.id) === adding)?.name ?? "";
            void act(
              consoleFetch(`/api/admin/tags/${adding}/members`, {
                method: "POST",
                body: { userIds: [userId], action: "add" },
              }),
              `已添加标签“${name}”。`,
            ).then((ok) => ok && setAdding(""));
          }}
        >
          <select
            value={adding}
            onChange={(e) => setAdding(e.target.value)}
            aria-label="添加标签"
            data-testid="follower-tag-select"
            className="rounded-md border border-neutral-300 bg-white px-2 py-1 text-xs"
          >
            <option value="">添加标签…</option>
            {available.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy || !adding} className={BUTTON} data-testid="follower-tag-add">
            添加
          </button>
        </form>
      )}
      <ActionResultMessage result={result} testId="follower-tag-result" className="mt-1 text-xs" />
    </div>
  );
}

export function RemarkEditor({ userId, remark, canEdit }: { userId: string; remark: string; canEdit: boolean }) {
  const { busy, result, act } = useConsoleAction();
  const [value, setValue] = useState(remark);
  const length = [...value.trim()].length;
  if (!canEdit)
    return (
      <span data-testid="follower-remark" className="whitespace-pre-wrap">
        {remark || "—"}
      </span>
    );
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        void act(
          consoleFetch(`/api/admin/users/${encodeURIComponent(userId)}/remark`, {
            method: "PUT",
            body: { remark: value },
          }),
          value.trim() ? "备注已保存，并已同步到微信。" : "备注已清除。",
        );
      }}
    >
      <input
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-label="备注"
        data-testid="follower-remark-input"
        className="w-64 rounded-md border border-neutral-300 px-2 py-1 text-sm"
      />
      <span className={`text-xs ${length >= REMARK_MAX ? "text-red-700" : "text-neutral-500"}`}>
        {length}/{REMARK_MAX - 1}
      </span>
      <button
        type="submit"
        disabled={busy || length >= REMARK_MAX}
        className={BUTTON}
        data-testid="follower-remark-save"
      >
        保存备注
      </button>
      <div className="basis-full">
        <ActionResultMessage result={result} testId="follower-remark-result" className="mt-1 text-xs" />
      </div>
    </form>
  );
}

export function BlockToggle({
  userId,
  blacklisted,
  since,
  canEdit,
}: {
  userId: string;
  blacklisted: boolean;
  since: string | null;
  canEdit: boolean;
}) {
  const { busy, result, act } = useConsoleAction();
  const { modal } = App.useApp();
  const toggle = () =>
    void act(
      consoleFetch("/api/admin/blacklist", {
        body: { userIds: [userId], action: blacklisted ? "unblock" : "block" },
      }),
      blacklisted ? "已取消拉黑。" : "已拉黑。",
    );
  // Blocking is consequential (no more messages, no mass sends): asked first, as in the list.
  const block = () =>
    modal.confirm({
      title: "拉黑此用户？",
      content: "拉黑后，此人无法再给公众号发消息，也收不到群发。可以随时取消拉黑。",
      okText: "拉黑",
      okButtonProps: { danger: true, "data-testid": "follower-block-confirm" } as never,
      cancelText: "取消",
      cancelButtonProps: { "data-testid": "follower-block-cancel" } as never,
      onOk: toggle,
    });
  return (
    <div>
      <span data-testid="follower-blacklisted" data-blacklisted={blacklisted ? "1" : "0"}>
        {blacklisted ? `已拉黑${since ? `（${since}）` : ""}` : "未拉黑"}
      </span>
      {canEdit && (
        <button
          type="button"
          disabled={busy}
          className={`${BUTTON} ml-2`}
          data-testid="follower-block-toggle"
          onClick={blacklisted ? toggle : block}
        >
          {blacklisted ? "取消拉黑" : "拉黑"}
        </button>
      )}
      <ActionResultMessage result={result} testId="follower-block-result" className="mt-1 text-xs" />
    </div>
  );
}
