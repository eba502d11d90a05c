// /admin/qrcodes/<id>: one channel QR code: its image (drawn here from its url), downloads, and what it
// brought, from the pushes: scans, new followers, how many still follow, per day.
import Link from "next/link";
import { notFound } from "next/navigation";
import { BackLink } from "@/app/admin/back-link";
import { Term } from "@/app/admin/term";
import { formatShanghai } from "@/lib/admin/user-detail";
import { requireStaffPage } from "@/lib/admin/guard";
import { AppError } from "@/lib/errors";
import { getQrCode, qrCodeStats } from "@/lib/qrcodes/qrcodes";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

export default async function QrCodePage({ params }: { params: Promise<{ id: string }> }) {
  await requireStaffPage();
  const { id } = await params;
  const code = await getQrCode(services.qrcodes, id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "qrcode_not_found") notFound();
    throw error;
  });
  const stats = await qrCodeStats(services.qrcodes, code.scene);
  const image = `/api/admin/qrcodes/${code.id}/image`;
  const peak = Math.max(1, ...stats.daily.map((d) => d.scans));
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-col">
        <BackLink href="/admin/qrcodes">返回渠道二维码</BackLink>
        <h1 className="text-xl font-semibold">{code.name}</h1>
        <p className="mt-1 text-sm text-neutral-500">
          <Term tip="场景值（scene_str）：写在二维码里、扫码时微信随事件送回的字符串">渠道标识</Term>{" "}
          <span className="font-mono">{code.scene}</span> ·{" "}
          {code.expiresAt
            ? `临时，有效期至 ${formatShanghai(new Date(code.expiresAt))}${code.expired ? "（已过期）" : ""}`
            : "永久有效"}
        </p>
      </div>
      <div className="flex flex-col gap-4 md:flex-row">
        <section aria-label="二维码" className="flex flex-col items-center gap-2 rounded-xl bg-white p-5 shadow-sm">
          {/* eslint-disable-next-line @next/next/no-img-element -- an SVG of our own route, no optimisation to gain */}
          <img src={`${image}?format=svg`} alt={`${code.name} 的二维码`} width={200} height={200} />
          <div className="flex gap-3 text-sm">
            <a href={`${image}?format=png`} className="text-emerald-700" download>
              下载 PNG
            </a>
            <a href={`${image}?format=svg`} className="text-emerald-700" download>
              下载 SVG
            </a>
          </div>
        </section>
        <section aria-label="数据" className="flex-1 rounded-xl bg-white p-5 shadow-sm">
          <dl className="grid grid-cols-3 gap-4 text-center">
            {[
              ["扫码次数", stats.scans, "qrcode-scans"],
              ["新增关注", stats.newFollowers, "qrcode-new-followers"],
              ["仍在关注", stats.stillFollowing, "qrcode-still-following"],
            ].map(([label, value, testid]) => (
              <div key={testid as string}>
                <dt className="text-sm text-neutral-500">{label}</dt>
                <dd className="text-2xl font-semibold" data-testid={testid as string}>
                  {value}
                </dd>
              </div>
            ))}
          </dl>
          <h2 className="mt-6 mb-2 text-sm font-medium">每日扫码（北京时间）</h2>
          {stats.daily.length === 0 ? (
            <p className="text-sm text-neutral-500">还没有人扫过这个二维码。</p>
          ) : (
            <ul className="flex flex-col gap-1 text-sm">
              {stats.daily.map((d) => (
                <li key={d.day} className="flex items-center gap-2">
                  <span className="w-24 text-neutral-500">{d.day}</span>
                  <span className="h-3 rounded bg-emerald-500" style={{ width: `${(d.scans / peak) * 60}%` }} />
                  <span>
                    {d.scans} 次，新增 {d.newFollowers}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <p className="mt-4 text-sm">
            <Link href={`/admin/users?qrScene=${encodeURIComponent(code.scene)}`} className="text-emerald-700">
              查看通过此二维码关注的用户 →
            </Link>
          </p>
        </section>
      </div>
    </div>
  );
}
