// DELETE: the template on WeChat (del_private_template), then here.
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { deleteTemplate, templateIdParams } from "@/lib/templates/templates";

export const DELETE = adminRoute({ params: templateIdParams }, async (_request, { params }) => {
  await deleteTemplate(services.templates, params.id);
  return { deleted: params.id };
});
