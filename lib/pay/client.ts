// Where the app's WeChat Pay client comes from (lib/pay/settings.ts's three modes): none when payments
// are off; ours, with the keys loaded at start-up, against api.mch.weixin.qq.com (failing over to api2);
// or, against the simulator without a merchant of our own, the simulator's merchant read from its
// GET /__sim/pay/merchant (again after a minute, so a restarted simulator's new keys are picked up).
import { z } from "zod";
import { ApiHosts } from "@/lib/wechat/hosts";
import { WeChatPay, type WeChatPayDeps } from "@/lib/wechat/pay";
import type { PaySettings } from "./settings";

/** What the pay product uses of the client. */
export type PayClient = Pick<
  WeChatPay,
  | "mchid"
  | "appid"
  | "createJsapiOrder"
  | "queryOrder"
  | "closeOrder"
  | "refund"
  | "queryRefund"
  | "signBridgeRequest"
  | "openNotification"
>;

const merchantSchema = z.object({
  mchid: z.string().min(1),
  appid: z.string().min(1),
  merchantSerialNo: z.string().min(1),
  merchantPrivateKey: z.string().min(1),
  apiV3Key: z.string().min(1),
  wechatpayPublicKey: z.string().min(1),
  wechatpayPublicKeyId: z.string().min(1),
});

/** How long the simulator's merchant is used before it is read again. */
export const SIMULATOR_MERCHANT_TTL_MS = 60_000;

export interface PayClientOptions {
  /** Our Official Account: the order's appid (the simulator's merchant must be bound to it). */
  readonly appId: string;
  readonly client?: WeChatPayDeps;
  /** Reads the simulator's merchant (default: the global fetch). */
  readonly fetch?: (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;
  readonly nowMs?: () => number;
}

/** The client's source, or null when payments are off. */
export function payClientSource(settings: PaySettings, options: PayClientOptions): (() => Promise<PayClient>) | null {
  if (settings.mode === "off") return null;
  if (settings.mode === "merchant") {
    const { merchant } = settings;
    const keys = merchant.keys();
    const pay = new WeChatPay(
      {
        mchid: merchant.mchid,
        appid: options.appId,
        merchantPrivateKey: keys.privateKey,
        merchantSerialNo: merchant.serialNo,
        apiV3Key: keys.apiV3Key,
        wechatpayPublicKey: keys.publicKey,
        wechatpayPublicKeyId: merchant.publicKeyId,
        baseUrl: new ApiHosts({ primary: settings.base, backup: settings.backup }),
      },
      options.client,
    );
    return () => Promise.resolve(pay);
  }
  const read = options.fetch ?? ((url: string) => fetch(url));
  const nowMs = options.nowMs ?? Date.now;
  let cached: { at: number; material: string; pay: Promise<PayClient> } | undefined;
  const load = async (): Promise<PayClient> => {
    const response = await read(`${settings.base}/__sim/pay/merchant`);
    if (!response.ok) throw new Error(`the simulator's merchant: HTTP ${response.status}`);
    const material = merchantSchema.parse(await response.json());
    const text = JSON.stringify(material);
    if (cached && cached.material === text) {
      cached = { ...cached, at: nowMs() };
      return cached.pay;
    }
    const pay = new WeChatPay(
      {
        mchid: material.mchid,
        appid: material.appid,
        merchantPrivateKey: material.merchantPrivateKey,
        merchantSerialNo: material.merchantSerialNo,
        apiV3Key: material.apiV3Key,
        wechatpayPublicKey: material.wechatpayPublicKey,
        wechatpayPublicKeyId: material.wechatpayPublicKeyId,
        baseUrl: settings.base,
      },
      options.client,
    );
    cached = { at: nowMs(), material: text, pay: Promise.resolve(pay) };
    return pay;
  };
  return () => (cached && nowMs() - cached.at < SIMULATOR_MERCHANT_TTL_MS ? cached.pay : load());
}
