/**
 * A card logo before media/uploadimg: WeChat takes JPG and PNG of at most 1 MB (40005 another type,
 * 40009 empty or too big). The type is read from the file's first bytes, never from its name or the
 * browser's Content-Type: a renamed GIF or an HTML page with a .png name is refused here.
 */
import { CARD_ERRCODES } from "./draft";

export const LOGO_MAX_BYTES = 1024 * 1024;

const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type LogoCheck =
  | { readonly ok: true; readonly contentType: "image/jpeg" | "image/png"; readonly extension: "jpg" | "png" }
  | { readonly ok: false; readonly errcode: number; readonly message: string };

const startsWith = (data: Uint8Array, magic: readonly number[]) =>
  data.length >= magic.length && magic.every((byte, i) => data[i] === byte);

/** What the bytes are, or why WeChat would refuse them (in Chinese). */
export function checkLogo(data: Uint8Array): LogoCheck {
  if (data.length === 0) return { ok: false, errcode: CARD_ERRCODES.imageSize, message: "图片是空的。" };
  const kind = startsWith(data, PNG) ? "png" : startsWith(data, JPEG) ? "jpg" : null;
  if (!kind)
    return { ok: false, errcode: CARD_ERRCODES.imageType, message: "logo 只能是 JPG 或 PNG 图片（按文件内容判断）。" };
  if (data.length > LOGO_MAX_BYTES) {
    const mb = (data.length / LOGO_MAX_BYTES).toFixed(2);
    return { ok: false, errcode: CARD_ERRCODES.imageSize, message: `logo 最大 1 MB，这张 ${mb} MB。` };
  }
  return kind === "png"
    ? { ok: true, contentType: "image/png", extension: "png" }
    : { ok: true, contentType: "image/jpeg", extension: "jpg" };
}
