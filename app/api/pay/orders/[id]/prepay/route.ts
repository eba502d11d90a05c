// POST: the getBrandWCPayRequest parameters for paying the signed-in person's order ({order, bridge}):
// the order's one prepay_id (made on the first tap, reused after), signed here with the merchant key.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http";
import { getMe } from "@/lib/me";
import { preparePayment } from "@/lib/pay/cashier";
import { requestSession } from "@/lib/session";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.string().min(1).max(64) });

export const POST = route(
  {
    authorize: async (request) => getMe(services.auth, await requestSession(request)),
    sameOrigin: true,
    params,
    personal: true,
  },
  async (_request, { auth, params }) => {
    const pay = services.pay;
    if (!pay) throw new AppError("pay_disabled");
    return preparePayment(pay, params.id, auth.id);
  },
);
