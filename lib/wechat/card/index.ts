/** Cards and coupons (卡券): the draft and its rules, the logo check, the client, and the cardExt of wx.addCard. */
export * from "./draft";
export * from "./logo";
export * from "./client";
export * from "./ext";
export { cardEventOf, type CardEvent } from "../message-xml";
