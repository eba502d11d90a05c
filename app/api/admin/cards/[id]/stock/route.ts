// POST {"delta"}: card/modifystock, adding (> 0) or removing (< 0) stock; never below zero.
import { adminRoute } from "@/lib/admin/guard";
import { cardIdParams, modifyStock, stockBody } from "@/lib/cards/cards";
import { services } from "@/lib/services";

export const POST = adminRoute({ params: cardIdParams, body: stockBody }, async (_request, { params, body }) => ({
  card: await modifyStock(services.cards, params.id, body.delta),
}));
