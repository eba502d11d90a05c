import QRCode from "qrcode";
import { env } from "@/lib/env";
import { safeReturnTo } from "@/lib/auth/return-to";

export const dynamic = "force-dynamic";

export default async function OpenInWeChat({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const link = env().APP_URL + safeReturnTo(typeof params.returnTo === "string" ? params.returnTo : "/");
  // qrcode: well kept, no native parts, renders SVG on the server (no client script needed).
  const svg = await QRCode.toString(link, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return (
    <div className="weui-msg">
      <div className="weui-msg__text-area">
        <h1 data-testid="open-in-wechat" className="weui-msg__title">
          请在微信中打开
        </h1>
        <p className="weui-msg__desc">
          本页面需要使用微信登录。请用微信“扫一扫”扫描下方二维码，或将链接发送到微信中打开。
        </p>
        <div data-testid="qr" className="h5-qr" dangerouslySetInnerHTML={{ __html: svg }} />
        <p data-testid="link" className="h5-link">
          {link}
        </p>
        <p className="weui-msg__desc">
          也可以
          <a
            data-testid="qr-login-link"
            href={`/login/qr?${new URLSearchParams({ returnTo: safeReturnTo(typeof params.returnTo === "string" ? params.returnTo : "/me") })}`}
          >
            在电脑上扫码登录
          </a>
          。
        </p>
      </div>
    </div>
  );
}
