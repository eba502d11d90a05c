// POST {"code"}: card/code/consume, once; a second consume (another counter first) is 422 with errcode
// 40099 in Chinese. Any staff member (viewer or admin) may redeem.
import { adminRoute } from "@/lib/admin/guard";
import { consumeCode, redeemBody } from "@/lib/cards/redeem";
import { services } from "@/lib/services";

export const POST = adminRoute({ role: "viewer", body: redeemBody }, async (_request, { staff, body }) => ({
  redeemed: await consumeCode(services.cards, body.code, staff.email),
}));
