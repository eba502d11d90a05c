// What the pay product takes (services.pay builds it for the app; tests build their own).
import type { Db } from "@/lib/db";
import type { PayClient } from "./client";

export interface PayDeps {
  readonly db: Db;
  /** Our Official Account: orders are for its openids. */
  readonly appId: string;
  readonly now: () => Date;
  /** WeChat Pay's client (the simulator's merchant is read on first use). */
  readonly client: () => Promise<PayClient>;
  /** APP_URL: the cashier's payUrl is `${appUrl}/pay/<id>`. */
  readonly appUrl: string;
  /** `${APP_URL}/api/pay/notify`: notify_url of every prepay and refund. */
  readonly notifyUrl: string;
  /** PAY_ALLOWED_ORIGINS: where returnUrl and webhookUrl may point. */
  readonly allowedOrigins: readonly string[];
  /** PAY_WEBHOOK_SECRET (null: no webhooks can be signed). */
  readonly webhookSecret: string | null;
  readonly randomBytes: (n: number) => Uint8Array;
}
