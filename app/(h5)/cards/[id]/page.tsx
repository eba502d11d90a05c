// /cards/<id>: the H5 page that offers a coupon (issue 14). After a silent login (as /me), it shows the
// card from our record (title, kind, what it gives in ¥, dates, our copy of its logo) and 领取到卡包, which
// signs a cardExt on the server (GET /api/wechat/card-ext) and hands it to wx.addCard: WeChat's JS-SDK, or
// against the simulator its stand-in (simulator/README.md), which the page's CSP allows only then.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getIronSession } from "iron-session";
import { services } from "@/lib/services";
import { AppError } from "@/lib/errors";
import { getMe } from "@/lib/me";
import { endUserSession, sessionOptions, type SessionData } from "@/lib/session";
import { loginPath } from "@/lib/auth/login";
import { cardOfferPage, type CardOfferPage } from "@/lib/cards/offer";
import { env } from "@/lib/env";
import { TakeCard } from "./take";

export const dynamic = "force-dynamic";

export const metadata = { title: "领取优惠券" };

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export default async function CardOffer({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const here = ID.test(id) ? `/cards/${id}` : "/cards/unknown";
  const session = await getIronSession<SessionData>(await cookies(), sessionOptions());
  try {
    await getMe(services.auth, endUserSession(session));
  } catch (err) {
    // Not signed in (or merged away): log in silently, then come back here.
    if (err instanceof AppError && err.code === "unauthenticated") redirect(loginPath("snsapi_base", here));
    throw err;
  }
  let offer: CardOfferPage;
  try {
    if (!ID.test(id)) throw new AppError("card_not_found");
    offer = await cardOfferPage(services.cards, id);
  } catch (err) {
    if (err instanceof AppError && err.code === "card_not_found") return <Unknown />;
    throw err;
  }
  const { card } = offer;
  const e = env();
  const standIn = e.usesSimulator ? `${e.WECHAT_OAUTH_BASE}/__sim/cards/add-card.js` : null;

  return (
    <>
      <div className="h5-coupon" data-testid="coupon" data-state={offer.state} style={{ background: card.colorHex }}>
        {card.logoUrl ? (
          // eslint-disable-next-line @next/next/no-img-element -- our own copy of the logo, a few kB
          <img src={card.logoUrl} alt={`${card.brandName} logo`} width={56} height={56} className="h5-coupon__logo" />
        ) : (
          <div className="h5-coupon__logo h5-coupon__logo_default" aria-hidden="true">
            {Array.from(card.brandName)[0] ?? "券"}
          </div>
        )}
        <p className="h5-coupon__brand">{card.brandName}</p>
        <h1 className="h5-coupon__title" data-testid="coupon-title">
          {card.title}
        </h1>
        <p className="h5-coupon__benefit" data-testid="coupon-benefit">
          {card.benefit}
        </p>
      </div>

      <div className="weui-cells">
        <Row label="类型" testId="coupon-kind">
          {card.typeLabel}
        </Row>
        <Row label="有效期" testId="coupon-validity">
          {card.validity}
        </Row>
        <Row label="每人限领">{card.getLimit} 张</Row>
        <Row label="使用提醒">{card.notice}</Row>
      </div>
      <p className="weui-cells__tips">{card.description}</p>

      <div className="h5-fill" />
      <div className="h5-actions">
        {offer.notice ? (
          <p className="h5-coupon__closed" role="status" data-testid="coupon-notice">
            {offer.notice}
          </p>
        ) : (
          <TakeCard cardId={card.id} standIn={standIn} />
        )}
        <a className="weui-btn weui-btn_default h5-action" href="/me/cards" data-testid="my-cards-link">
          我的卡券
        </a>
      </div>
    </>
  );
}

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="weui-cell">
      <div className="weui-cell__bd">{label}</div>
      <div className="weui-cell__ft" data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

function Unknown() {
  return (
    <div className="weui-msg" data-testid="coupon-unknown">
      <div className="weui-msg__icon-area">
        <i className="weui-icon-info weui-icon_msg" aria-hidden="true" />
      </div>
      <div className="weui-msg__text-area">
        <h1 className="weui-msg__title">找不到这张券</h1>
        <p className="weui-msg__desc">链接可能有误，或者这张券不是本公众号发放的。</p>
      </div>
      <div className="weui-msg__opr-area">
        <a className="weui-btn weui-btn_default" href="/me/cards">
          我的卡券
        </a>
      </div>
    </div>
  );
}
