"use client";
// Create, rename and delete tags. Names are measured in UTF-8 bytes as WeChat does, before anything is sent;
// the route checks again and WeChat has the last word (its errcode is shown when it refuses).
import Link from "next/link";
import { App } from "antd";
import { useState } from "react";
import type { TagRow } from "@/lib/followers/tags";
import { consoleFetch, useConsoleAction } from "@/app/admin/console-fetch";
import { ActionResultMessage } from "../followers/action-result";

const MAX_BYTES = 30;
const bytes = (s: string) => new TextEncoder().encode(s.trim()).length;
const BUTTON = "rounded-md border border-neutral-300 bg-white px-3 py-1 text-sm text-neutral-700 hover:bg-neutral-100";

export function TagManager({ tags, canEdit }: { tags: readonly TagRow[]; canEdit: boolean }) {
  const { modal } = App.useApp();
  const [name, setName] = useState("");
  const [editing, setEditing] = useState<number | null>(null);
  const [draft, setDraft] = useState("");
  const { busy, result, act } = useConsoleAction();

  const own = tags.filter((t) => !t.reserved).length;
  const tooLong = bytes(name) > MAX_BYTES;

  return (
    <div className="flex flex-col gap-4">
      {canEdit && (
        <form
          className="flex flex-wrap items-center gap-2 rounded-xl bg-white p-4 shadow-sm"
          data-testid="tag-create"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await act(consoleFetch("/api/admin/tags", { body: { name } }), `已创建标签“${name.trim()}”。`))
              setName("");
          }}
        >
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="新标签名称"
            aria-label="新标签名称"
            data-testid="tag-name"
            className="rounded-md border border-neutral-300 px-3 py-1.5 text-sm"
          />
          <span className={`text-xs ${tooLong ? "text-red-700" : "text-neutral-500"}`} data-testid="tag-bytes">
            {bytes(name)}/{MAX_BYTES} 字节
          </span>
          <button
            type="submit"
            disabled={busy || name.trim() === "" || tooLong || own >= 100}
            data-testid="tag-create-submit"
            className="rounded-md bg-neutral-900 px-4 py-1.5 text-sm text-white hover:bg-neutral-700 disabled:opacity-50"
          >
            创建标签
          </button>
          <button
            type="button"
            disabled={busy}
            className={BUTTON}
            data-testid="tag-refresh"
            onClick={() =>
              void act(consoleFetch("/api/admin/tags/refresh", { method: "POST" }), "已从微信刷新标签列表。")
            }
          >
            从微信刷新
          </button>
          <span className="text-xs text-neutral-500">已有 {own}/100 个标签</span>
        </form>
      )}
      <ActionResultMessage result={result} testId="tag-result" />
      <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
        <table className="w-full text-left text-sm" data-testid="tag-table">
          <thead className="border-b border-neutral-200 bg-neutral-50 text-xs text-neutral-500">
            <tr>
              <th className="px-3 py-2 font-medium">ID</th>
              <th className="px-3 py-2 font-medium">名称</th>
              <th className="px-3 py-2 font-medium">粉丝数</th>
              <th className="px-3 py-2 font-medium">操作</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-neutral-100">
            {tags.map((tag) => (
              <tr key={tag.id} data-testid="tag-row" data-tag-id={tag.id}>
                <td className="px-3 py-2 font-mono text-xs">{tag.id}</td>
                <td className="px-3 py-2">
                  {editing === tag.id ? (
                    <form
                      className="flex items-center gap-2"
                      onSubmit={async (e) => {
                        e.preventDefault();
                        const ok = await act(
                          consoleFetch(`/api/admin/tags/${tag.id}`, { method: "PATCH", body: { name: draft } }),
                          `已重命名为“${draft.trim()}”。`,
                        );
                        if (ok) setEditing(null);
                      }}
                    >
                      <input
                        value={draft}
                        onChange={(e) => setDraft(e.target.value)}
                        aria-label="标签新名称"
                        data-testid="tag-rename-input"
                        className="rounded-md border border-neutral-300 px-2 py-1 text-sm"
                      />
                      <button type="submit" disabled={busy} className={BUTTON} data-testid="tag-rename-save">
                        保存
                      </button>
                      <button type="button" className={BUTTON} onClick={() => setEditing(null)}>
                        取消
                      </button>
                    </form>
                  ) : (
                    <Link href={`/admin/users?tag=${tag.id}`} className="hover:underline" data-testid="tag-name-link">
                      {tag.name}
                    </Link>
                  )}
                  {tag.reserved && <span className="ml-2 text-xs text-neutral-500">（微信保留）</span>}
                </td>
                <td className="px-3 py-2" data-testid="tag-count">
                  {tag.count}
                </td>
                <td className="px-3 py-2">
                  {canEdit && !tag.reserved && editing !== tag.id && (
                    <span className="flex gap-2">
                      <button
                        type="button"
                        className={BUTTON}
                        data-testid="tag-rename"
                        onClick={() => {
                          setEditing(tag.id);
                          setDraft(tag.name);
                        }}
                      >
                        重命名
                      </button>
                      <button
                        type="button"
                        disabled={busy}
                        className={BUTTON}
                        data-testid="tag-delete"
                        onClick={() =>
                          modal.confirm({
                            title: `删除标签“${tag.name}”？`,
                            content: "用户身上的该标签也会移除。",
                            okText: "删除",
                            okButtonProps: { danger: true, "data-testid": "tag-delete-confirm" } as never,
                            cancelText: "取消",
                            onOk: () =>
                              void act(
                                consoleFetch(`/api/admin/tags/${tag.id}`, { method: "DELETE" }),
                                `已删除“${tag.name}”。`,
                              ),
                          })
                        }
                      >
                        删除
                      </button>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {tags.length === 0 && (
          <p className="px-4 py-8 text-center text-sm text-neutral-500" data-testid="no-tags">
            还没有标签。同步粉丝或点击“从微信刷新”获取微信上的标签。
          </p>
        )}
      </div>
    </div>
  );
}
