// /admin/qrcodes (渠道二维码): the codes, and a form to make one. Each code's page has its image and what
// it brought. Viewers read; admins make codes (the API route checks the role).
import Link from "next/link";
import { requireStaffPage } from "@/lib/admin/guard";
import { listTags } from "@/lib/followers/tags";
import { listQrCodes } from "@/lib/qrcodes/qrcodes";
import { services } from "@/lib/services";
import { QrCodeForm } from "./qrcode-form";

export const dynamic = "force-dynamic";

const KIND = { QR_LIMIT_STR_SCENE: "永久", QR_STR_SCENE: "临时" } as const;

export default async function QrCodesPage() {
  const staff = await requireStaffPage();
  const [codes, tags] = await Promise.all([listQrCodes(services.qrcodes), listTags(services.db)]);
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-xl font-semibold">渠道二维码</h1>
        <p className="mt-1 text-sm text-neutral-500">
          每个二维码带一个场景值：用户扫码关注或扫码时，微信推送的事件会记在这个二维码名下，可以看到扫码次数、新增关注和仍在关注的人数。
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
          <table className="w-full text-left text-sm">
            <thead className="text-neutral-500">
              <tr>
                <th className="py-2">名称</th>
                <th>场景值</th>
                <th>类型</th>
                <th>有效期至</th>
                <th>创建</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-neutral-100">
              {codes.map((c) => (
                <tr key={c.id} data-testid="qrcode-row" data-scene={c.scene}>
                  <td className="py-2">
                    <Link href={`/admin/qrcodes/${c.id}`} className="text-emerald-700 hover:underline">
                      {c.name}
                    </Link>
                  </td>
                  <td className="font-mono">{c.scene}</td>
                  <td>{KIND[c.action]}</td>
                  <td className={c.expired ? "text-red-600" : ""}>
                    {c.expiresAt
                      ? `${new Date(c.expiresAt).toLocaleString("zh-CN")}${c.expired ? "（已过期）" : ""}`
                      : "—"}
                  </td>
                  <td className="text-neutral-500">{new Date(c.createdAt).toLocaleDateString("zh-CN")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
