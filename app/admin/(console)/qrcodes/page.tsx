// /admin/qrcodes (渠道二维码): the codes, and a form to make one. Each code's page has its image and what
// it brought. Viewers read; admins make codes (the API route checks the role).
import Link from "next/link";
import { Term } from "@/app/admin/term";
import { requireStaffPage } from "@/lib/admin/guard";
import { formatShanghai } from "@/lib/admin/user-detail";
import { listTags } from "@/lib/followers/tags";
import { listQrCodes } from "@/lib/qrcodes/qrcodes";
import { services } from "@/lib/services";
import { QrCodeForm } from "./qrcode-form";

export const dynamic = "force-dynamic";

const KIND = { QR_LIMIT_STR_SCENE: "永久有效", QR_STR_SCENE: "临时" } as const;

export default async function QrCodesPage() {
  const staff = await requireStaffPage();
  const [codes, tags] = await Promise.all([listQrCodes(services.qrcodes), listTags(services.db)]);
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-xl font-semibold">渠道二维码</h1>
        <p className="mt-1 text-sm text-neutral-500">
          为每个推广渠道（海报、门店、活动）生成一个二维码：用户扫码关注或扫码进入公众号，都会记在这个二维码名下，可以看到扫码次数、新增关注和仍在关注的人数。
        </p>
      </div>
      {staff.role === "admin" ? (
        <QrCodeForm tags={tags.filter((t) => !t.reserved || t.id === 2).map((t) => ({ id: t.id, name: t.name }))} />
      ) : (
        <p className="text-sm text-neutral-500">只读：只有管理员可以创建二维码。</p>
      )}
      <section aria-label="二维码列表" className="rounded-xl bg-white p-5 shadow-sm">
        {codes.length === 0 ? (
          <p className="text-sm text-neutral-500" data-testid="qrcode-empty">
            还没有渠道二维码。
          </p>
        ) : (
          // On a phone the kind, the validity and the date made go under the name: five columns broke every
          // cell over two lines.
          <table className="w-full text-left text-sm">
            <thead className="text-neutral-600">
              <tr className="[&>th]:py-2 [&>th]:pr-4 [&>th]:font-normal [&>th]:whitespace-nowrap">
                <th>名称</th>
                <th>
                  <Term tip="场景值（scene_str）：写在二维码里、扫码时微信随事件送回的字符串">渠道标识</Term>
                </th>
                <th className="hidden sm:table-cell">类型</th>
                <th className="hidden sm:table-cell">有效期至</th>
                <th className="hidden sm:table-cell">创建</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-neutral-100">
              {codes.map((c) => {
                const validity = c.expiresAt
                  ? `${formatShanghai(new Date(c.expiresAt))}${c.expired ? "（已过期）" : ""}`
                  : "—";
                const created = formatShanghai(new Date(c.createdAt)).slice(0, 10);
                return (
                  <tr
                    key={c.id}
                    data-testid="qrcode-row"
                    data-scene={c.scene}
                    className="align-top [&>td]:py-2 [&>td]:pr-4"
                  >
                    <td>
                      <Link href={`/admin/qrcodes/${c.id}`} className="hover:underline">
                        {c.name}
                      </Link>
                      <span className={`block text-xs sm:hidden ${c.expired ? "text-red-700" : "text-neutral-600"}`}>
                        {KIND[c.action]}
                        {c.expiresAt ? `，至 ${validity}` : ""} · {created}
                      </span>
                    </td>
                    <td className="font-mono break-all">{c.scene}</td>
                    <td className="hidden whitespace-nowrap sm:table-cell">{KIND[c.action]}</td>
                    <td className={`hidden sm:table-cell ${c.expired ? "text-red-700" : ""}`}>{validity}</td>
                    <td className="hidden whitespace-nowrap text-neutral-600 sm:table-cell">{created}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
