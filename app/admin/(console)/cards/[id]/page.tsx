// /admin/cards/<id>: one coupon: its review (with WeChat's reason when refused), stock and what became of
// the codes taken, a chart per day from its pushes, and for admins the stock buttons, a QR code to give it
// out (optionally tied to a channel), the H5 link that offers it, and deletion.
import { notFound } from "next/navigation";
import { BackLink } from "@/app/admin/back-link";
import { CopyableId } from "@/app/admin/copyable-id";
import { Term } from "@/app/admin/term";
import { requireStaffPage } from "@/lib/admin/guard";
import { formatShanghai } from "@/lib/admin/user-detail";
import { cardPage } from "@/lib/cards/cards";
import { beijingDay, validityLabel } from "@/lib/cards/model";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { listQrCodes } from "@/lib/qrcodes/qrcodes";
import { services } from "@/lib/services";
import { Chart } from "../../charts";
import { CardPreview } from "../card-preview";
import { ReviewTag } from "../review-tag";
import { CardQrCode, DeleteCardButton, StockControl, SyncButton } from "./card-actions";
import { CARD_DAY_SERIES, cardDailyOption, filledDays } from "./card-chart";
import { RefreshWhilePending } from "./refresh-while-pending";

export const dynamic = "force-dynamic";

const numbers = new Intl.NumberFormat("zh-CN");

export default async function CardPage({ params }: { params: Promise<{ id: string }> }) {
  const staff = await requireStaffPage();
  const { id } = await params;
  const page = await cardPage(services.cards, id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "card_not_found") notFound();
    throw error;
  });
  const { card, counts } = page;
  const admin = staff.role === "admin";
  const channels = admin ? await listQrCodes(services.qrcodes) : [];
  const days = filledDays(page.daily, beijingDay(new Date()));
  const offerUrl = `${env().APP_URL}${card.offerPath}`;
  const draft = card.draft;
  const approved = card.review.status === "VERIFY_OK" && !card.deleted;
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-col">
        <BackLink href="/admin/cards">返回卡券</BackLink>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold">{card.title}</h1>
          <ReviewTag review={card.review} />
          {card.deleted && (
            <span className="rounded bg-neutral-100 px-1.5 py-0.5 text-xs text-neutral-600" data-testid="card-deleted">
              已删除
            </span>
          )}
        </div>
        <p className="mt-1 text-sm text-neutral-500">
          {card.typeLabel} · {card.brandName} · {validityLabel(draft.date)} · 每人限领 {card.getLimit} 张 · 创建于{" "}
          {formatShanghai(new Date(card.createdAt)).slice(0, 16)}
        </p>
        <div className="mt-1 flex items-center gap-2 text-sm text-neutral-500">
          <Term tip="card_id：微信给这张卡券的编号，领取、核销和 wx.addCard 都用它">微信卡券 ID</Term>
          <CopyableId value={card.wxCardId} testId="card-wx-id" />
        </div>
        {card.review.status === "NOT_VERIFY" && (
          <p className="mt-2 text-sm text-amber-800" data-testid="card-review-note">
            微信审核通过后才能发放；审核结果出来后这里会自动更新。
            <RefreshWhilePending />
          </p>
        )}
      </div>

      <section aria-label="数据" className="rounded-xl bg-white p-5 shadow-sm">
        <dl className="grid grid-cols-2 gap-4 text-center sm:grid-cols-3 lg:grid-cols-6">
          {(
            [
              ["库存", card.quantity, "card-stock", `共投放 ${numbers.format(card.totalQuantity)} 张`],
              ["领取", counts.taken, "card-taken", counts.received > 0 ? `另有好友转赠 ${counts.received}` : null],
              ["核销", counts.redeemed, "card-redeemed", null],
              ["删除", counts.deleted, "card-deleted-count", null],
              ["转赠", counts.gifted, "card-gifted", null],
              ["查看", counts.views, "card-views", null],
            ] as const
          ).map(([label, value, testid, detail]) => (
            <div key={testid}>
              <dt className="text-sm text-neutral-500">{label}</dt>
              <dd className="text-2xl font-semibold tabular-nums" data-testid={testid}>
                {numbers.format(value)}
              </dd>
              {detail && <dd className="text-xs text-neutral-500">{detail}</dd>}
            </div>
          ))}
        </dl>
        {admin && !card.deleted && (
          <div className="mt-4 flex flex-col gap-2 border-t border-neutral-100 pt-4">
            <h2 className="text-sm font-medium">调整库存</h2>
            <StockControl cardId={card.id} />
          </div>
        )}
      </section>

      <section aria-label="每日数据" className="rounded-xl bg-white p-5 shadow-sm">
        <h2 className="mb-2 text-sm font-medium">每日领取与核销（北京时间）</h2>
        {days.length === 0 ? (
          <p className="text-sm text-neutral-500" data-testid="card-daily-empty">
            还没有人领取这张卡券。
          </p>
        ) : (
          <>
            <Chart option={cardDailyOption(days)} label="每日领取、核销、删除与转赠柱状图" testId="card-chart" />
            <div className="sr-only">
              <table data-testid="card-daily">
                <caption>每日领取、核销、删除与转赠</caption>
                <thead>
                  <tr>
                    <th scope="col">日期</th>
                    {CARD_DAY_SERIES.map((s) => (
                      <th key={s.key} scope="col">
                        {s.name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {days.map((d) => (
                    <tr key={d.day}>
                      <th scope="row">{d.day}</th>
                      {CARD_DAY_SERIES.map((s) => (
                        <td key={s.key}>{d[s.key]}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <div className="grid gap-4 lg:grid-cols-[1fr_320px]">
        <section aria-label="发放" className="flex flex-col gap-4 rounded-xl bg-white p-5 shadow-sm">
          <h2 className="font-medium">发放</h2>
          <div className="flex flex-col gap-1 text-sm">
            <span>H5 领取链接（在微信里打开，领取到微信卡包）</span>
            <CopyableId value={offerUrl} testId="card-offer-url" wrap />
          </div>
          {!admin ? (
            <p className="text-sm text-neutral-500">只读：只有管理员可以生成二维码、调整库存或删除卡券。</p>
          ) : approved ? (
            <CardQrCode
              cardId={card.id}
              title={card.title}
              channels={channels.map((c) => ({ id: c.id, name: c.name, scene: c.scene }))}
            />
          ) : (
            <p className="text-sm text-neutral-500" data-testid="card-qr-unavailable">
              {card.deleted ? "卡券已删除，不能再发放。" : "审核通过后才能生成领取二维码。"}
            </p>
          )}
          {admin && (
            <div className="flex flex-wrap items-start gap-3 border-t border-neutral-100 pt-4">
              <SyncButton cardId={card.id} />
              {!card.deleted && <DeleteCardButton cardId={card.id} title={card.title} />}
            </div>
          )}
        </section>
        <CardPreview
          card={{
            type: card.type,
            brandName: card.brandName,
            title: card.title,
            color: card.color,
            notice: draft.notice,
            validity: validityLabel(draft.date),
            leastCost: draft.type === "CASH" ? draft.leastCost : null,
            reduceCost: draft.type === "CASH" ? draft.reduceCost : null,
            discount: draft.type === "DISCOUNT" ? draft.discount : null,
            detail:
              draft.type === "GROUPON"
                ? draft.dealDetail
                : draft.type === "GIFT"
                  ? draft.gift
                  : draft.type === "GENERAL_COUPON"
                    ? draft.defaultDetail
                    : undefined,
            logoSrc: card.logoPreviewUrl,
          }}
        />
      </div>
    </div>
  );
}
