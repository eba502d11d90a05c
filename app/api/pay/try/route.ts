// POST {key}: 体验支付 ¥0.01, a 1-fen order for the signed-in person → 201 {id, payUrl}; the same key
// (a double tap) answers the same order. Offered only while the simulator plays WeChat Pay.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { route } from "@/lib/http";
import { getMe } from "@/lib/me";
import { createTrialOrder } from "@/lib/pay/cashier";
import { payTrialOffered } from "@/lib/pay/settings";
import { requestSession } from "@/lib/session";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

const body = z
  .object({ key: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "key 须为 8–64 位字母、数字、_ 或 -。") })
  .strict();

export const POST = route(
  {
    authorize: async (request) => getMe(services.auth, await requestSession(request)),
    sameOrigin: true,
    body,
    personal: true,
    status: 201,
  },
  async (_request, { auth, body }) => {
    const pay = services.pay;
    if (!pay || !payTrialOffered(env().pay)) throw new AppError("pay_disabled");
    return createTrialOrder(pay, auth.id, body.key);
  },
);
