// 我的卡券: the coupons the signed-in person took, newest first, with their state (可用, 已使用, 已过期,
// 已转赠, 已删除) as the card pushes moved them. On open, WeChat's list of the person's card pack
// (card/user/getcardlist) is asked first for codes whose user_get_card push we missed.
import Link from "next/link";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getIronSession } from "iron-session";
import { AppError } from "@/lib/errors";
import { loginPath } from "@/lib/auth/login";
import { getMe } from "@/lib/me";
import { myCards, type MyCard } from "@/lib/cards/mine";
import { endUserSession, sessionOptions, type SessionData } from "@/lib/session";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

export default async function MyCardsPage() {
  const session = await getIronSession<SessionData>(await cookies(), sessionOptions());
  let userId: string;
  try {
    userId = (await getMe(services.auth, endUserSession(session))).id;
  } catch (err) {
    if (err instanceof AppError && err.code === "unauthenticated") redirect(loginPath("snsapi_base", "/me/cards"));
    throw err;
  }
  const { cards } = await myCards(services.cards, userId, { topUp: true });
  return (
    <>
      <h1 className="weui-cells__title h5-mycards__title">我的卡券</h1>
      {cards.length === 0 ? (
        <div className="weui-msg" data-testid="cards-empty">
          <div className="weui-msg__text-area">
            <p className="weui-msg__desc">还没有领取卡券</p>
          </div>
        </div>
      ) : (
        <div className="weui-panel" data-testid="my-cards">
          <div className="weui-panel__bd">
            {cards.map((card) => (
              <CardItem key={`${card.card.id}:${card.code}`} card={card} />
            ))}
          </div>
        </div>
      )}
      <div className="h5-fill" />
      <div className="h5-actions">
        <Link href="/me" className="weui-btn weui-btn_default">
          返回个人中心
        </Link>
      </div>
    </>
  );
}

function CardItem({ card }: { card: MyCard }) {
  return (
    <div
      className={`weui-media-box weui-media-box_text h5-mycard${card.usable ? "" : " h5-mycard_spent"}`}
      data-testid="my-card"
      data-card-id={card.card.id}
      data-code={card.code}
      style={card.card.colorHex ? { borderLeftColor: card.card.colorHex } : undefined}
    >
      <div className="h5-mycard__head">
        <strong className="weui-media-box__title h5-mycard__title">{card.card.title}</strong>
        <span data-testid="my-card-state" className={`h5-mycard__state h5-mycard__state_${card.state.toLowerCase()}`}>
          {card.stateLabel}
        </span>
      </div>
      <p className="weui-media-box__desc">
        {card.card.brandName} · {card.card.typeLabel}
        {card.fromFriend ? " · 朋友转赠" : ""}
      </p>
      <ul className="weui-media-box__info">
        <li className="weui-media-box__info__meta">
          有效期 {formatDay(card.validFrom)} 至 {formatDay(card.validUntil)}
        </li>
        <li className="weui-media-box__info__meta h5-value_mono" data-testid="my-card-code">
          {card.code}
        </li>
      </ul>
      {card.card.deleted && card.state === "NORMAL" && <p className="weui-cells__tips">该卡券已停止使用</p>}
    </div>
  );
}

function formatDay(iso: string): string {
  return new Date(iso).toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" });
}
