// GET ?confirm=1: the signed-in person's order as the cashier polls it ({id, status, statusLabel, …}).
// With confirm=1 (the page heard WeChat's answer and the order is still unpaid) WeChat Pay is asked too,
// at most every few seconds; WeChat's get_brand_wcpay_request:ok alone proves nothing.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http";
import { getMe } from "@/lib/me";
import { orderStatus } from "@/lib/pay/cashier";
import { requestSession } from "@/lib/session";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.string().min(1).max(64) });
const query = z.object({ confirm: z.enum(["0", "1"]).optional() });

export const GET = route(
  {
    authorize: async (request) => getMe(services.auth, await requestSession(request)),
    params,
    query,
    personal: true,
  },
  async (_request, { auth, params, query }) => {
    const pay = services.pay;
    if (!pay) throw new AppError("pay_disabled");
    return orderStatus(pay, params.id, auth.id, { ask: query.confirm === "1" });
  },
);
