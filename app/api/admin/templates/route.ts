// GET: the account's template messages as last fetched from WeChat, each with its fields.
// POST {"shortId","keywordNames"?}: add one from WeChat's template library (api_add_template).
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { addTemplate, addTemplateInput, listTemplates } from "@/lib/templates/templates";

export const GET = adminRoute(async () => listTemplates(services.templates));

export const POST = adminRoute({ body: addTemplateInput, status: 201 }, async (_request, { body }) => ({
  template: await addTemplate(services.templates, body),
}));
