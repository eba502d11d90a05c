// /admin/messages/new (新建群发): a template and its fields, and who gets it: everyone with a tag, or the
// people a filter of the user list shows (its query string; the user list links here with its own).
// The console says how many people that is, and how many will be skipped, before anything is sent.
import { z } from "zod";
import { BackLink } from "@/app/admin/back-link";
import { requireStaffPage } from "@/lib/admin/guard";
import { listTags } from "@/lib/followers/tags";
import { services } from "@/lib/services";
import { listTemplates } from "@/lib/templates/templates";
import { MassSendForm } from "./mass-send-form";

export const dynamic = "force-dynamic";

const search = z.object({ query: z.string().max(2000).optional().catch(undefined) });

export default async function NewMessageJobPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const staff = await requireStaffPage();
  const { query } = search.parse(await props.searchParams);
  const [{ templates }, tags] = await Promise.all([listTemplates(services.templates), listTags(services.db)]);
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-col">
        <BackLink href="/admin/messages">返回群发列表</BackLink>
        <h1 className="text-xl font-semibold">新建群发</h1>
      </div>
      {staff.role !== "admin" ? (
        <p className="text-sm text-neutral-500">只读：只有管理员可以群发。</p>
      ) : (
        <MassSendForm
          templates={templates.map((t) => ({ templateId: t.templateId, title: t.title, fields: t.fields }))}
          tags={tags.map((t) => ({ id: t.id, name: t.name, count: t.count }))}
          initialQuery={query ?? ""}
        />
      )}
    </div>
  );
}
