// POST multipart/form-data with the picture in the field `logo`: judged by its bytes (JPG or PNG, at most
// 1 MB), sent to media/uploadimg and kept for the preview → 201 {"logo": {"id","url","contentType","size","previewUrl"}}.
// A refusal is 422 with the problem on the field `logo`.
import { adminRoute } from "@/lib/admin/guard";
import { uploadCardLogo } from "@/lib/cards/cards";
import { AppError } from "@/lib/errors";
import { services } from "@/lib/services";

/** A form larger than this is not read at all (the picture itself may be 1 MB). */
const MAX_FORM_BYTES = 2 * 1024 * 1024;

export const POST = adminRoute({ status: 201 }, async (request, { staff }) => {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > MAX_FORM_BYTES) throw new AppError("card_logo_invalid");
  const form = await request.formData().catch(() => null);
  const file = form?.get("logo");
  if (!file || typeof file === "string") throw new AppError("card_logo_invalid");
  const data = new Uint8Array(await file.arrayBuffer());
  return { logo: await uploadCardLogo(services.cards, data, staff.email) };
});
