// /admin/cards (卡券): the account's coupons with their review, stock and what became of them, and 新建卡券 for
// admins. Each card's page has its stock, chart, QR code and H5 link. Viewers read (and redeem at 核销).
import Link from "next/link";
import { requireStaffPage } from "@/lib/admin/guard";
import { formatShanghai } from "@/lib/admin/user-detail";
import { listCards } from "@/lib/cards/cards";
import { beijingDay, validityLabel } from "@/lib/cards/model";
import { services } from "@/lib/services";
import { CardForm } from "./card-form";
import { ReviewTag } from "./review-tag";

export const dynamic = "force-dynamic";

const numbers = new Intl.NumberFormat("zh-CN");

export default async function CardsPage() {
  const staff = await requireStaffPage();
  const cards = await listCards(services.cards);
  const now = new Date();
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-xl font-semibold">卡券</h1>
        <p className="mt-1 text-sm text-neutral-500">
          创建优惠券提交微信审核，审核通过后用二维码或 H5
          链接发放；用户领到后放在微信卡包里，到店出示券码，在“核销”页核销。
        </p>
      </div>
      {staff.role === "admin" ? (
        <CardForm today={beijingDay(now)} inAMonth={beijingDay(new Date(now.getTime() + 30 * 86_400_000))} />
      ) : (
        <p className="text-sm text-neutral-500">只读：只有管理员可以创建卡券。</p>
      )}
      <section aria-label="卡券列表" className="rounded-xl bg-white p-5 shadow-sm">
        {cards.length === 0 ? (
          <p className="text-sm text-neutral-500" data-testid="card-empty">
            还没有卡券。
          </p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-neutral-600">
              <tr className="[&>th]:py-2 [&>th]:pr-4 [&>th]:font-normal [&>th]:whitespace-nowrap">
                <th>名称</th>
                <th className="hidden sm:table-cell">类型</th>
                <th>审核</th>
                <th className="hidden sm:table-cell">库存</th>
                <th className="hidden sm:table-cell">领取 / 核销</th>
                <th className="hidden md:table-cell">有效期</th>
                <th className="hidden md:table-cell">创建</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-neutral-100">
              {cards.map((c) => (
                <tr key={c.id} data-testid="card-row" data-card-id={c.id} className="align-top [&>td]:py-2 [&>td]:pr-4">
                  <td>
                    <Link href={`/admin/cards/${c.id}`} className="hover:underline" data-testid="card-link">
                      {c.title}
                    </Link>
                    {c.deleted && <span className="ml-2 text-xs text-neutral-500">（已删除）</span>}
                    <span className="block text-xs text-neutral-600 sm:hidden">
                      {c.typeLabel} · 库存 {numbers.format(c.quantity)} · 领取 {numbers.format(c.counts.taken)} / 核销{" "}
                      {numbers.format(c.counts.redeemed)}
                    </span>
                  </td>
                  <td className="hidden whitespace-nowrap sm:table-cell" data-testid="card-type">
                    {c.typeLabel}
                  </td>
                  <td>
                    <ReviewTag review={c.review} />
                  </td>
                  <td className="hidden sm:table-cell" data-testid="card-quantity">
                    {numbers.format(c.quantity)}
                  </td>
                  <td className="hidden whitespace-nowrap sm:table-cell" data-testid="card-counts">
                    {numbers.format(c.counts.taken)} / {numbers.format(c.counts.redeemed)}
                  </td>
                  <td className="hidden text-neutral-600 md:table-cell">{validityLabel(c.draft.date)}</td>
                  <td className="hidden whitespace-nowrap text-neutral-600 md:table-cell">
                    {formatShanghai(new Date(c.createdAt)).slice(0, 10)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
