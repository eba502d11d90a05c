// GET: our copy of a card logo's bytes, for the H5 page that offers the card (WeChat's mmbiz address is
// not reachable outside WeChat, nor in development). A logo is public art of a card; its id never names
// other bytes, so it is cached for a day by anyone.
import { z } from "zod";
import { route } from "@/lib/http";
import { readCardLogo } from "@/lib/cards/cards";
import { services } from "@/lib/services";

const params = z.object({ id: z.string().min(1).max(64) });

export const GET = route({ params }, async (_request, { params }) => {
  const logo = await readCardLogo(services.cards, params.id);
  return new Response(new Uint8Array(logo.data), {
    headers: {
      "content-type": logo.contentType,
      "cache-control": "public, max-age=86400, immutable",
      "x-content-type-options": "nosniff",
    },
  });
});
