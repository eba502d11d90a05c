import { describe, expect, it } from "vitest";
import { chooseReply, type AutoReplyRule } from "./auto-replies";

const rule = (kind: AutoReplyRule["kind"], keyword: string, reply: string, match: AutoReplyRule["match"] = "exact") =>
  ({ id: keyword || kind, kind, keyword, match, reply, enabled: true, updatedAt: new Date(0) }) as AutoReplyRule;
const rules = [
  rule("subscribe", "", "欢迎"),
  rule("keyword", "菜单", "这是菜单"),
  rule("keyword", "价", "价格表", "contains"),
];

describe("chooseReply", () => {
  it("answers a subscribe with the subscribe rule and a text by keyword", () => {
    expect(chooseReply(rules, { msgType: "event", event: "subscribe", content: null })).toBe("欢迎");
    expect(chooseReply(rules, { msgType: "text", event: null, content: " 菜单 " })).toBe("这是菜单");
    expect(chooseReply(rules, { msgType: "text", event: null, content: "报价多少" })).toBe("价格表");
  });

  it("answers a menu tap whose key is a keyword with that keyword's reply, exactly", () => {
    expect(chooseReply(rules, { msgType: "event", event: "CLICK", content: null, eventKey: "菜单" })).toBe("这是菜单");
    expect(chooseReply(rules, { msgType: "event", event: "CLICK", content: null, eventKey: "价格" })).toBeNull();
    expect(chooseReply(rules, { msgType: "event", event: "VIEW", content: null, eventKey: "菜单" })).toBeNull();
  });
});
