// GET: our copy of a logo (WeChat's address shows only inside WeChat), for the console's preview.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { readCardLogo } from "@/lib/cards/cards";
import { services } from "@/lib/services";

const params = z.object({ id: z.string().min(1).max(64) });

export const GET = adminRoute({ params }, async (_request, { params }) => {
  const logo = await readCardLogo(services.cards, params.id);
  return new Response(new Uint8Array(logo.data), {
    headers: {
      "content-type": logo.contentType,
      "cache-control": "private, max-age=86400, immutable",
      "x-content-type-options": "nosniff",
    },
  });
});
