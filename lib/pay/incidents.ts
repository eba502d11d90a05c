// What WeChat Pay said that does not match our books (another amount, payer or merchant, an order or
// refund we do not know, a refund that could not go back): a PayIncident for the console, recorded once
// per (source, kind) however often it is said again, and never applied.
import { isUniqueViolation } from "@/lib/db/errors";
import type { PayDeps } from "./deps";

export async function recordIncident(
  deps: PayDeps,
  data: {
    orderId: string | null;
    outTradeNo: string;
    outRefundNo?: string;
    kind: string;
    source: string;
    expected?: string;
    received?: string;
    detail: unknown;
  },
): Promise<void> {
  try {
    await deps.db.payIncident.create({
      data: {
        orderId: data.orderId,
        outTradeNo: data.outTradeNo,
        outRefundNo: data.outRefundNo ?? null,
        kind: data.kind,
        source: data.source,
        expected: data.expected ?? null,
        received: data.received ?? null,
        detail: JSON.stringify(data.detail),
        createdAt: deps.now(),
      },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}
