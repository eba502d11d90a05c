// POST {"code"}: the code at the counter (card/code/get with check_consume), with our card and person:
// whether it can be used, and why not. Any staff member (viewer or admin) may redeem.
import { adminRoute } from "@/lib/admin/guard";
import { checkCode, redeemBody } from "@/lib/cards/redeem";
import { services } from "@/lib/services";

export const POST = adminRoute({ role: "viewer", body: redeemBody }, async (_request, { body }) => ({
  check: await checkCode(services.cards, body.code),
}));
