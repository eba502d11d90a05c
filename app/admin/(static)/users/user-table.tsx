"use client";
// The list's rows in an antd Table: the person column fixed on the left (it stays while the other
// columns scroll sideways on a phone), openid and unionid in full in a fixed-width font (follower ids
// differ only at the end, so they are never cut there) with a copy button, 已拉黑 beside a blocked person,
// the other columns as this browser's 列设置 says, and for admins a checkbox per row plus select-all in
// the header. The checkboxes still belong to the bulk actions' form (form="user-selection"), so what is
// ticked is what the form would submit.
import { Table, Tooltip, type TableColumnsType } from "antd";
import Link from "next/link";
import { formatShanghaiTime } from "@/lib/admin/user-query";
import { CopyableId } from "../../copyable-id";
import type { OptionalColumn } from "./column-settings";

export interface UserRowData {
  readonly id: string;
  readonly nickname: string | null;
  readonly headimgurl: string | null;
  readonly openid: string | null;
  readonly unionid: string | null;
  readonly scope: string;
  readonly subscribed: boolean | null;
  readonly remark: string | null;
  /** on the account's blacklist */
  readonly blacklisted: boolean;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}

/** The scope's badge: plain words, the protocol's name in a tooltip. */
const SCOPE_BADGE: Record<string, { label: string; style: string; hint: string }> = {
  snsapi_base: { label: "静默", style: "sc", hint: "静默授权（snsapi_base）：只知道 openid" },
  snsapi_userinfo: { label: "资料", style: "sc ui", hint: "授权资料（snsapi_userinfo）：有昵称和头像" },
};

function columns(suffix: string, hidden: ReadonlySet<OptionalColumn>): TableColumnsType<UserRowData> {
  const all: TableColumnsType<UserRowData> = [
    {
      title: "用户",
      key: "user",
      fixed: "left",
      width: 200,
      render: (_, row) => {
        const name = row.nickname || "微信用户";
        return (
          // No prefetch: 50 links to dynamic pages, for a click that mostly never comes.
          <Link
            href={`/admin/users/${encodeURIComponent(row.id)}${suffix}`}
            prefetch={false}
            className="u"
            data-testid="user-link"
          >
            <span className="av">
              <span aria-hidden="true" data-testid="avatar-fallback">
                {Array.from(name)[0] ?? "微"}
              </span>
              {/* A broken image with an empty alt draws nothing, so an expired WeChat avatar URL leaves the
                  initial under it visible. A plain <img>: next/image would proxy WeChat's images through us. */}
              {row.headimgurl && (
                // eslint-disable-next-line @next/next/no-img-element
                <img src={row.headimgurl} alt="" width={32} height={32} loading="lazy" referrerPolicy="no-referrer" />
              )}
            </span>
            <span
              className="nn"
              data-testid="user-nickname"
              title={row.remark === null ? undefined : `备注：${row.remark}`}
            >
              {row.nickname === null ? <span className="na">（未授权资料）</span> : row.nickname}
            </span>
            {row.remark !== null && <span className="rm">{row.remark}</span>}
            {row.blacklisted && (
              <span className="bl" data-testid="user-blacklisted">
                已拉黑
              </span>
            )}
          </Link>
        );
      },
    },
    {
      title: "openid",
      key: "openid",
      width: 260,
      render: (_, row) => <CopyableId testId="user-openid" value={row.openid} />,
    },
    {
      title: "unionid",
      key: "unionid",
      width: 260,
      render: (_, row) => <CopyableId testId="user-unionid" value={row.unionid} />,
    },
    {
      title: "授权",
      key: "scope",
      width: 72,
      render: (_, row) => {
        const scope = SCOPE_BADGE[row.scope] ?? { label: row.scope, style: "sc", hint: row.scope };
        return (
          <Tooltip title={scope.hint}>
            <span className={scope.style} title={row.scope} data-testid="user-scope">
              {scope.label}
            </span>
          </Tooltip>
        );
      },
    },
    {
      title: "已关注",
      key: "subscribed",
      width: 72,
      onCell: () => ({ "data-testid": "user-subscribed" }) as React.HTMLAttributes<HTMLElement>,
      render: (_, row) => (row.subscribed === null ? <span className="na">未知</span> : row.subscribed ? "是" : "否"),
    },
    {
      title: "注册时间",
      key: "created",
      width: 140,
      onCell: () => ({ "data-testid": "user-created", className: "t" }) as React.HTMLAttributes<HTMLElement>,
      render: (_, row) => formatShanghaiTime(new Date(row.createdAt), "minute"),
    },
    {
      title: "最近登录",
      key: "login",
      width: 140,
      onCell: () => ({ "data-testid": "user-last-login", className: "t" }) as React.HTMLAttributes<HTMLElement>,
      render: (_, row) =>
        row.lastLoginAt === null ? (
          <span className="na" title="通过关注或粉丝同步得知，尚未在网页中登录">
            从未登录
          </span>
        ) : (
          formatShanghaiTime(new Date(row.lastLoginAt), "minute")
        ),
    },
  ];
  return all.filter((column) => !hidden.has(column.key as OptionalColumn));
}

export function UserTable({
  rows,
  suffix,
  selectable,
  selected,
  onSelect,
  empty,
  hidden,
}: {
  /** null while loading */
  rows: readonly UserRowData[] | null;
  suffix: string;
  selectable: boolean;
  selected: readonly string[];
  onSelect: (ids: string[]) => void;
  empty: string;
  /** the columns this browser hides (列设置) */
  hidden: ReadonlySet<OptionalColumn>;
}) {
  return (
    <div className="user-table overflow-hidden rounded-lg border border-neutral-200 bg-white" data-testid="user-table">
      <Table<UserRowData>
        rowKey="id"
        size="middle"
        columns={columns(suffix, hidden)}
        dataSource={rows ? [...rows] : []}
        pagination={false}
        scroll={{ x: "max-content" }}
        aria-busy={rows ? undefined : true}
        onRow={(row) => ({ "data-testid": "user-row", "data-user-id": row.id }) as React.HTMLAttributes<HTMLElement>}
        rowSelection={
          selectable
            ? {
                fixed: "left",
                columnWidth: 44,
                selectedRowKeys: [...selected],
                onChange: (keys) => onSelect(keys.map(String)),
                getTitleCheckboxProps: () => ({ "aria-label": "全选本页" }) as never,
                getCheckboxProps: (row) =>
                  ({
                    name: "uid",
                    value: row.id,
                    form: "user-selection",
                    "aria-label": `选择 ${row.nickname || "微信用户"}`,
                  }) as never,
              }
            : undefined
        }
        locale={{
          emptyText: rows ? (
            <p className="py-6 text-center text-sm text-neutral-500" data-testid="no-users">
              {empty}
            </p>
          ) : (
            <p className="py-6 text-center text-sm text-neutral-500" data-testid="user-list-loading">
              正在加载用户列表…
            </p>
          ),
        }}
      />
    </div>
  );
}
