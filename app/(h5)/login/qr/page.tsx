// /login/qr (扫码登录): a desktop browser signs in by scanning a code with WeChat. The code is made for this
// browser (POST /api/auth/wechat/qr), shown, and polled until the scan has arrived; then on to returnTo.
import { safeReturnTo } from "@/lib/auth/return-to";
import { QrLogin } from "./qr-login";

export const dynamic = "force-dynamic";

export default async function QrLoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const returnTo = safeReturnTo(typeof params.returnTo === "string" ? params.returnTo : "/me");
  return (
    <div className="weui-msg">
      <div className="weui-msg__text-area">
        <h1 className="weui-msg__title">微信扫码登录</h1>
        <p className="weui-msg__desc">请用微信“扫一扫”扫描下方二维码，关注公众号后即可在电脑上登录。</p>
        <QrLogin returnTo={returnTo} />
      </div>
    </div>
  );
}
