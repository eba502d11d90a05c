import QRCode from "qrcode";
import { env } from "@/lib/env";
import { safeReturnTo } from "@/lib/auth/return-to";
import { Card } from "@/app/ui";

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
    <div className="flex flex-1 flex-col justify-center gap-4">
      <Card>
        <div className="text-center">
          <h1 data-testid="open-in-wechat" className="text-lg font-semibold">
            请在微信中打开
          </h1>
          <p className="mt-2 text-sm text-neutral-600">
            本页面需要使用微信登录。请用微信“扫一扫”扫描下方二维码，或将链接发送到微信中打开。
          </p>
          <div data-testid="qr" className="mx-auto mt-4 w-56" dangerouslySetInnerHTML={{ __html: svg }} />
          <p
            data-testid="link"
            className="mt-3 break-all rounded bg-neutral-100 p-2 font-mono text-xs text-neutral-600"
          >
            {link}
          </p>
        </div>
      </Card>
    </div>
  );
}
