"use client";
// The blacklist table with its unblock buttons, and the "sync from WeChat" button.
import { Term } from "@/app/admin/term";
import Link from "next/link";
import { consoleFetch, useConsoleAction } from "@/app/admin/console-fetch";
import { ActionResultMessage } from "../followers/action-result";

export interface BlacklistRowView {
  readonly id: string;
  readonly nickname: string | null;
  readonly remark: string | null;
  readonly openid: string | null;
  /** formatted */
  readonly blacklistedAt: string;
}

const BUTTON = "rounded-md border border-neutral-300 bg-white px-3 py-1 text-sm text-neutral-700 hover:bg-neutral-100";

export function BlacklistActions({ rows, canEdit }: { rows: readonly BlacklistRowView[]; canEdit: boolean }) {
  const { busy, result, act } = useConsoleAction();

  return (
    <div className="flex flex-col gap-3">
      {canEdit && (
        <div>
          <button
            type="button"
            disabled={busy}
            className={BUTTON}
            data-testid="blacklist-sync"
            onClick={() =>
              void act(consoleFetch("/api/admin/blacklist/sync", { method: "POST" }), (data) => {
                const d = data as { listed: number; added: number; removed: number };
                return `已从微信同步黑名单：共 ${d.listed} 人，新增 ${d.added}，移除 ${d.removed}。`;
              })
            }
          >
            从微信同步黑名单
          </button>
        </div>
      )}
      <ActionResultMessage result={result} testId="blacklist-result" />
      <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
        <table className="w-full text-left text-sm" data-testid="blacklist-table">
          <thead className="border-b border-neutral-200 bg-neutral-50 text-xs text-neutral-500">
            <tr>
              <th className="px-3 py-2 font-medium">用户</th>
              <th className="px-3 py-2 font-medium">
                <Term tip="openid：该用户在本公众号下的唯一编号">用户编号</Term>
              </th>
              <th className="px-3 py-2 font-medium">拉黑时间</th>
              <th className="px-3 py-2 font-medium">操作</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-neutral-100">
            {rows.map((row) => (
              <tr key={row.id} data-testid="blacklist-row" data-user-id={row.id}>
                <td className="px-3 py-2">
                  <Link href={`/admin/users/${row.id}`} className="hover:underline">
                    {row.remark || row.nickname || "微信用户"}
                  </Link>
                </td>
                <td className="px-3 py-2 font-mono text-xs">{row.openid ?? "—"}</td>
                <td className="px-3 py-2">{row.blacklistedAt}</td>
                <td className="px-3 py-2">
                  {canEdit && (
                    <button
                      type="button"
                      disabled={busy}
                      className={BUTTON}
                      data-testid="blacklist-unblock"
                      onClick={() =>
                        void act(
                          consoleFetch("/api/admin/blacklist", { body: { userIds: [row.id], action: "unblock" } }),
                          () => "已取消拉黑。",
                        )
                      }
                    >
                      取消拉黑
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && (
          <p className="px-4 py-8 text-center text-sm text-neutral-500" data-testid="no-blacklist">
            黑名单为空。
          </p>
        )}
      </div>
    </div>
  );
}
