// GET: whether a reply is possible (the 48-hour window since the person's last message or event).
// POST {"text"}: a customer service text (message/custom/send); 422 with 45015 once the window is closed.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { replyInput, replyWindow, sendReply } from "@/lib/templates/send";

const params = z.object({ id: z.string().min(1).max(64) });

export const GET = adminRoute({ params }, async (_request, { params }) => ({
  window: await replyWindow(services.templates, params.id),
}));

export const POST = adminRoute(
  { params, body: replyInput, status: 201 },
  async (_request, { staff, params, body }) => ({
    message: await sendReply(services.templates, params.id, body.text, staff.email),
  }),
);
