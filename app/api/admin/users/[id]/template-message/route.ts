// POST {"templateId","data","url"?,"miniprogram"?}: a template message to this person. 201 with the
// message (sent, or skipped when they unfollowed or are blacklisted); WeChat's refusal is 422 and is
// also on their timeline as failed.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { sendTemplateMessage, templateMessageInput } from "@/lib/templates/send";

const params = z.object({ id: z.string().min(1).max(64) });

export const POST = adminRoute(
  { params, body: templateMessageInput.strict(), status: 201 },
  async (_request, { staff, params, body }) => {
    const sent = await sendTemplateMessage(services.templates, { userId: params.id }, body, {
      source: "console",
      createdBy: staff.email,
    });
    if (sent.error) throw sent.error;
    return { message: sent.message };
  },
);
