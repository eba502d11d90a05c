"use client";
// Bulk actions on the user list: the rows' checkboxes belong to this form (form="user-selection"). Tag or
// untag with a chosen tag, block or unblock; the selected ids go to /api/admin/tags/<id>/members or
// /api/admin/blacklist, which call WeChat first and change our data only on success. The answer is shown
// in Chinese, with WeChat's errcode when WeChat refused; on success the list is fetched again (`onDone`).
import { useState } from "react";
import { ActionResultMessage } from "@/app/admin/(console)/followers/action-result";
import { consoleFetch, useConsoleAction } from "@/app/admin/console-fetch";

export interface TagOption {
  readonly id: number;
  readonly name: string;
}

type Action = "tag" | "untag" | "block" | "unblock";

const BUTTON =
  "rounded-md border border-neutral-300 bg-white px-3 py-1.5 text-sm text-neutral-700 hover:bg-neutral-100";

/** `tags`: the account's tags, which the list has fetched for its filter anyway. */
export function BulkActions({ tags, onDone }: { tags: readonly TagOption[]; onDone: () => void }) {
  const [tagId, setTagId] = useState("");
  const { busy, result, setResult, act } = useConsoleAction(onDone);

  async function run(action: Action, form: HTMLFormElement) {
    const userIds = new FormData(form).getAll("uid").map(String);
    if (userIds.length === 0) return setResult({ ok: false, message: "请先勾选用户。" });
    if ((action === "tag" || action === "untag") && !tagId) return setResult({ ok: false, message: "请先选择标签。" });
    const call =
      action === "tag" || action === "untag"
        ? consoleFetch(`/api/admin/tags/${tagId}/members`, {
            method: "POST",
            body: { userIds, action: action === "tag" ? "add" : "remove" },
          })
        : consoleFetch("/api/admin/blacklist", { body: { userIds, action } });
    const verb = { tag: "打标签", untag: "取消标签", block: "拉黑", unblock: "取消拉黑" }[action];
    if (await act(call, `已${verb} ${userIds.length} 位用户。`)) {
      for (const box of form.ownerDocument.querySelectorAll<HTMLInputElement>("input[name=uid][form=user-selection]"))
        box.checked = false;
    }
  }

  return (
    <form
      id="user-selection"
      data-testid="bulk-actions"
      className="flex flex-wrap items-center gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
        void run((submitter?.value ?? "tag") as Action, event.currentTarget);
      }}
    >
      <label className="text-sm text-neutral-600">
        <span className="sr-only">标签</span>
        <select
          value={tagId}
          onChange={(e) => setTagId(e.target.value)}
          data-testid="bulk-tag"
          className="rounded-md border border-neutral-300 bg-white px-2 py-1.5 text-sm"
        >
          <option value="">选择标签…</option>
          {tags.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" value="tag" disabled={busy} className={BUTTON} data-testid="bulk-tag-add">
        打标签
      </button>
      <button type="submit" value="untag" disabled={busy} className={BUTTON} data-testid="bulk-tag-remove">
        取消标签
      </button>
      <button type="submit" value="block" disabled={busy} className={BUTTON} data-testid="bulk-block">
        拉黑
      </button>
      <button type="submit" value="unblock" disabled={busy} className={BUTTON} data-testid="bulk-unblock">
        取消拉黑
      </button>
      <ActionResultMessage result={result} testId="bulk-result" />
    </form>
  );
}
