// A template message's optional mini program (WeChat's `miniprogram: {appid, pagepath}`) in the console's
// send forms: checked as typed with the same rules as the API's schema (miniProgramSchema in
// lib/templates/send.ts, which is server code; miniprogram.test.ts keeps the two in agreement).

export interface MiniProgramInputs {
  appid: string;
  pagepath: string;
}

export const NO_MINI_PROGRAM: MiniProgramInputs = { appid: "", pagepath: "" };

const APPID = /^wx[0-9a-zA-Z]{16}$/;
const PAGEPATH_MAX = 512;

/** Each input's problem in Chinese; none when both are empty (no mini program). */
export function miniProgramProblems(inputs: MiniProgramInputs): { appid?: string; pagepath?: string } {
  const appid = inputs.appid.trim();
  const pagepath = inputs.pagepath.trim();
  const out: { appid?: string; pagepath?: string } = {};
  if (appid === "" && pagepath !== "") out.appid = "填写了页面路径，请同时填写小程序 AppID。";
  else if (appid !== "" && !APPID.test(appid)) out.appid = "小程序 AppID 须为 wx 开头的 18 位。";
  if (pagepath.length > PAGEPATH_MAX) out.pagepath = `页面路径最多 ${PAGEPATH_MAX} 个字符。`;
  return out;
}

/** The body's `miniprogram`, or undefined when none is given. */
export function miniProgramBody(inputs: MiniProgramInputs): { appid: string; pagepath?: string } | undefined {
  const appid = inputs.appid.trim();
  const pagepath = inputs.pagepath.trim();
  if (appid === "") return undefined;
  return pagepath === "" ? { appid } : { appid, pagepath };
}
