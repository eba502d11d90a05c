/**
 * WeChat's message-endpoint crypto as the pusher needs it: the SHA-1 signature, the AES-256-CBC
 * envelope of safe mode, and reading flat XML. Its own code (Node built-ins only), independent of
 * lib/wechat, so a bug in the app's crypto cannot be mirrored here and cancel out.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { SimulatorInputError } from "../errors";

/** Bad push input; a SimulatorInputError, so the /__sim/push control answers it with 400. */
export class PushInputError extends SimulatorInputError {
  override name = "PushInputError";
}

export function sign(parts: readonly string[]): string {
  return createHash("sha1")
    .update([...parts].sort().join(""))
    .digest("hex");
}

function aesKey(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  if (key.length !== 32) throw new PushInputError("EncodingAESKey must decode to 32 bytes");
  return key;
}

export function encryptFor(encodingAesKey: string, appId: string, xml: string): string {
  const key = aesKey(encodingAesKey);
  const body = Buffer.from(xml);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([randomBytes(16), len, body, Buffer.from(appId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    "base64",
  );
}

export function decryptFrom(encodingAesKey: string, encrypt: string): { xml: string; appId: string } {
  const key = aesKey(encodingAesKey);
  const decipher = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, "base64")), decipher.final()]);
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > 32) throw new Error("bad padding");
  const content = plain.subarray(0, plain.length - pad);
  const len = content.readUInt32BE(16);
  if (20 + len > content.length) throw new Error("bad length");
  return { xml: content.subarray(20, 20 + len).toString(), appId: content.subarray(20 + len).toString() };
}

export const cdata = (s: string) => `<![CDATA[${s.replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;

/** Flat fields of a WeChat XML document (CDATA or plain text children of <xml>). */
export function readFields(xml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const inner = /^\s*<xml>([\s\S]*)<\/xml>\s*$/.exec(xml)?.[1];
  if (inner === undefined) return fields;
  const re = /<(\w+)>((?:<!\[CDATA\[[\s\S]*?\]\]>)+|[^<]*)<\/\1>/g;
  for (const m of inner.matchAll(re)) {
    const raw = m[2] ?? "";
    fields[m[1] ?? ""] = raw.startsWith("<![CDATA[")
      ? [...raw.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((c) => c[1]).join("")
      : raw;
  }
  return fields;
}
