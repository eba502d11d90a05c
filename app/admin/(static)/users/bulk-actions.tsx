"use client";
// Bulk actions on the user list, on the rows ticked in the table (`selected`; the checkboxes also belong
// to this form, form="user-selection"). Tag or untag with a chosen tag, block (after a confirmation) or
// unblock; the ids go to /api/admin/tags/<id>/members or /api/admin/blacklist, which call WeChat first and
// change our data only on success. The answer is a toast (it does not push the toolbar about), with
// WeChat's errcode when WeChat refused. Once anything changed (all of it, or part: WeChat refused some,
// whom the answer names) the list is fetched again (`onDone`), with the refused still ticked.
import { App, Button, Space } from "antd";
import { useState } from "react";
import { consoleFetch, type ActionResult } from "@/app/admin/console-fetch";

export interface TagOption {
  readonly id: number;
  readonly name: string;
}

type Action = "tag" | "untag" | "block" | "unblock";

const VERB = { tag: "打标签", untag: "取消标签", block: "拉黑", unblock: "取消拉黑" } as const;

/** `tags`: the account's tags, which the list has fetched for its filter anyway. */
export function BulkActions({
  tags,
  selected,
  onDone,
}: {
  tags: readonly TagOption[];
  selected: readonly string[];
  /** `keep`: the people to leave ticked in the list fetched again (the refused of a partial action). */
  onDone: (keep?: readonly string[]) => void;
}) {
  const { message, modal } = App.useApp();
  const [tagId, setTagId] = useState("");
  const [busy, setBusy] = useState(false);
  const none = selected.length === 0;

  function show(result: ActionResult) {
    const content = (
      <span data-testid="bulk-result" data-ok={result.ok ? "1" : "0"} role={result.ok ? "status" : "alert"}>
        {result.message}
      </span>
    );
    if (result.ok) void message.success({ content, duration: 4 });
    else void message.error({ content, duration: 8 });
  }

  async function run(action: Action) {
    const userIds = [...selected];
    if (userIds.length === 0) return show({ ok: false, message: "请先勾选用户。" });
    if ((action === "tag" || action === "untag") && !tagId) return show({ ok: false, message: "请先选择标签。" });
    setBusy(true);
    const answer = await (action === "tag" || action === "untag"
      ? consoleFetch(`/api/admin/tags/${tagId}/members`, {
          method: "POST",
          body: { userIds, action: action === "tag" ? "add" : "remove" },
        })
      : consoleFetch("/api/admin/blacklist", { body: { userIds, action } }));
    setBusy(false);
    if (answer.kind === "ok") {
      show({ ok: true, message: `已${VERB[action]} ${userIds.length} 位用户。` });
      onDone();
    } else if (answer.kind === "error") {
      show({ ok: false, message: answer.message });
      // Part went through: the rows show it, and those WeChat refused stay ticked.
      if (answer.applied) onDone(answer.refused ?? []);
    }
  }

  function confirmBlock() {
    modal.confirm({
      title: `拉黑选中的 ${selected.length} 位用户？`,
      content: "拉黑后，他们无法再给公众号发消息，也收不到群发。可以在“黑名单”中取消。",
      okText: "拉黑",
      okButtonProps: { danger: true, "data-testid": "bulk-block-confirm" } as never,
      cancelText: "取消",
      onOk: () => run("block"),
    });
  }

  return (
    <form
      id="user-selection"
      data-testid="bulk-actions"
      className="flex flex-wrap items-center gap-2"
      onSubmit={(event) => event.preventDefault()}
    >
      <span className="text-sm text-neutral-700" data-testid="selection-count" aria-live="polite">
        {none ? "未选择用户" : `已选 ${selected.length} 位`}
      </span>
      <label className="text-sm text-neutral-600">
        <span className="sr-only">标签</span>
        <select
          value={tagId}
          onChange={(e) => setTagId(e.target.value)}
          data-testid="bulk-tag"
          className="h-8 rounded-md border border-neutral-300 bg-white px-2 text-sm"
        >
          <option value="">选择标签…</option>
          {tags.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <Space.Compact>
        <Button disabled={none || busy} onClick={() => void run("tag")} data-testid="bulk-tag-add">
          打标签
        </Button>
        <Button disabled={none || busy} onClick={() => void run("untag")} data-testid="bulk-tag-remove">
          取消标签
        </Button>
      </Space.Compact>
      <Button danger disabled={none || busy} onClick={confirmBlock} data-testid="bulk-block">
        拉黑
      </Button>
      <Button disabled={none || busy} onClick={() => void run("unblock")} data-testid="bulk-unblock">
        取消拉黑
      </Button>
    </form>
  );
}
