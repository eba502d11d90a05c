import { describe, expect, it } from "vitest";
import {
  MessageXmlError,
  buildEncryptedEnvelope,
  buildTextReply,
  cardEventOf,
  cdata,
  dedupeKey,
  parseInboundMessage,
  parseXmlFields,
} from "./message-xml";

const reason = (run: () => unknown) => {
  try {
    run();
    return "parsed";
  } catch (err) {
    if (err instanceof MessageXmlError) return err.reason;
    throw err;
  }
};

const subscribe = (extra = "") =>
  `<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><FromUserName><![CDATA[o_user-1]]></FromUserName>` +
  `<CreateTime>1768464000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>${extra}</xml>`;

describe("parseXmlFields refuses declarations before parsing", () => {
  it.each([
    ["internal entity", `<!DOCTYPE xml [<!ENTITY e "boom">]><xml><A>&e;</A></xml>`],
    [
      "external entity (XXE)",
      `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><A>&x;</A></xml>`,
    ],
    ["billion laughs", `<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><A>&b;</A></xml>`],
    ["external DTD", `<!DOCTYPE xml SYSTEM "http://evil.example/x.dtd"><xml><A>1</A></xml>`],
    ["lower-case doctype", `<!doctype xml><xml><A>1</A></xml>`],
    ["a bare ENTITY", `<xml><!ENTITY e "x"><A>1</A></xml>`],
    ["a comment", `<xml><!-- hi --><A>1</A></xml>`],
  ])("%s", (_name, xml) => {
    expect(reason(() => parseXmlFields(xml))).toBe("declaration");
  });

  it("what fast-xml-parser would do without the guard: expand a DOCTYPE's entities (why the guard exists)", async () => {
    const { XMLParser } = await import("fast-xml-parser");
    const naive = new XMLParser({ processEntities: true });
    expect(naive.parse(`<!DOCTYPE xml [<!ENTITY e "boom">]><xml><A>&e;</A></xml>`)).toEqual({ xml: { A: "boom" } });
  });

  it("keeps CDATA verbatim and decodes the predefined entities", () => {
    expect(parseXmlFields(`<xml><A><![CDATA[<b>&amp;</b>]]></A></xml>`)).toEqual({ A: "<b>&amp;</b>" });
    expect(parseXmlFields(`<xml><A>a &lt; b &amp; c</A></xml>`)).toEqual({ A: "a < b & c" });
  });

  it("refuses malformed XML, another root and repeated fields", () => {
    expect(reason(() => parseXmlFields(`<xml><A>1</A>`))).toBe("malformed");
    expect(reason(() => parseXmlFields(`<root><A>1</A></root>`))).toBe("shape");
    expect(reason(() => parseXmlFields(`<xml><A>1</A><A>2</A></xml>`))).toBe("shape");
    expect(reason(() => parseXmlFields(``))).toBe("malformed");
  });
});

describe("parseInboundMessage", () => {
  it("reads an event with a QR scene, ignoring nested elements and the declaration", () => {
    const m = parseInboundMessage(
      `<?xml version="1.0" encoding="utf-8"?>\n${subscribe("<EventKey><![CDATA[qrscene_123]]></EventKey><Ticket><![CDATA[t]]></Ticket><ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo>")}`,
    );
    expect(m).toMatchObject({
      openid: "o_user-1",
      toUserName: "gh_abc",
      createTime: 1768464000,
      msgType: "event",
      event: "subscribe",
      eventKey: "qrscene_123",
      msgId: null,
    });
    expect(m.fields.Ticket).toBe("t");
  });

  it("refuses a push without an openid, with a bad openid or a bad CreateTime", () => {
    expect(reason(() => parseInboundMessage(subscribe().replace(/<FromUserName>.*?<\/FromUserName>/, "")))).toBe(
      "shape",
    );
    expect(reason(() => parseInboundMessage(subscribe().replace("o_user-1", "o user")))).toBe("shape");
    expect(reason(() => parseInboundMessage(subscribe().replace("1768464000", "soon")))).toBe("shape");
    // A CreateTime no database can hold as a time is refused here, not in the middle of a batch.
    expect(reason(() => parseInboundMessage(subscribe().replace("1768464000", "17684640001768464000")))).toBe("shape");
  });

  it("replaces what the databases cannot store (U+0000, a lone surrogate) in every text field", () => {
    const text = parseInboundMessage(
      subscribe().replace(
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>",
        "<MsgType>text</MsgType><Content><![CDATA[a\u0000b\uD83D]]></Content><MsgId>42</MsgId>",
      ),
    );
    expect(text.content).toBe("a\uFFFDb\uFFFD");
    expect(text.fields.Content).toBe("a\uFFFDb\uFFFD");
  });
});

describe("dedupeKey", () => {
  it("is the MsgId for messages", () => {
    const text = parseInboundMessage(
      subscribe().replace(
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>",
        "<MsgType>text</MsgType><Content>hi</Content><MsgId>42</MsgId>",
      ),
    );
    expect(dedupeKey(text)).toBe("msg:42");
  });

  it("is FromUserName + CreateTime + Event + EventKey for events", () => {
    const a = dedupeKey(parseInboundMessage(subscribe("<EventKey>qrscene_1</EventKey>")));
    expect(dedupeKey(parseInboundMessage(subscribe("<EventKey>qrscene_1</EventKey>")))).toBe(a);
    expect(dedupeKey(parseInboundMessage(subscribe("<EventKey>qrscene_2</EventKey>")))).not.toBe(a);
    expect(dedupeKey(parseInboundMessage(subscribe().replace("1768464000", "1768464001")))).not.toBe(
      dedupeKey(parseInboundMessage(subscribe())),
    );
    expect(a).toMatch(/^evt:[A-Za-z0-9_-]{43}$/);
  });
});

const cardPush = (event: string, fields: string, from = "o_user-1", time = "1768464000") =>
  `<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>` +
  `<CreateTime>${time}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event>${fields}</xml>`;
const card = (event: string, fields: string, from?: string, time?: string) =>
  cardEventOf(parseInboundMessage(cardPush(event, fields, from, time)));

describe("cardEventOf: the card pushes", () => {
  it("card_pass_check and card_not_pass_check (with the reason)", () => {
    expect(card("card_pass_check", "<CardId><![CDATA[pCard1]]></CardId>", "gh_abc")).toEqual({
      event: "card_pass_check",
      cardId: "pCard1",
    });
    expect(
      card(
        "card_not_pass_check",
        "<CardId><![CDATA[pCard1]]></CardId><RefuseReason><![CDATA[非法代制]]></RefuseReason>",
      ),
    ).toEqual({ event: "card_not_pass_check", cardId: "pCard1", refuseReason: "非法代制" });
  });

  it("user_get_card: the code, the channel, and whether a friend gave it", () => {
    expect(
      card(
        "user_get_card",
        "<CardId><![CDATA[pCard1]]></CardId><IsGiveByFriend>0</IsGiveByFriend><UserCardCode><![CDATA[123456789012]]></UserCardCode>" +
          "<FriendUserName><![CDATA[]]></FriendUserName><OuterStr><![CDATA[poster_1]]></OuterStr><OuterId>0</OuterId>" +
          "<OldUserCardCode><![CDATA[]]></OldUserCardCode><IsRestoreMemberCard>0</IsRestoreMemberCard>",
      ),
    ).toEqual({
      event: "user_get_card",
      cardId: "pCard1",
      openid: "o_user-1",
      code: "123456789012",
      isGiveByFriend: false,
      friendOpenid: null,
      oldCode: null,
      outerStr: "poster_1",
      unionid: null,
    });
    expect(
      card(
        "user_get_card",
        "<CardId>pCard1</CardId><IsGiveByFriend>1</IsGiveByFriend><UserCardCode>222</UserCardCode>" +
          "<FriendUserName>o_friend</FriendUserName><OldUserCardCode>111</OldUserCardCode>",
      ),
    ).toMatchObject({ isGiveByFriend: true, friendOpenid: "o_friend", oldCode: "111", code: "222", outerStr: null });
  });

  it("user_consume_card, user_del_card, user_gifting_card, user_view_card", () => {
    const ids = "<CardId>pCard1</CardId><UserCardCode>111</UserCardCode>";
    expect(card("user_consume_card", `${ids}<ConsumeSource>FROM_API</ConsumeSource>`)).toEqual({
      event: "user_consume_card",
      cardId: "pCard1",
      openid: "o_user-1",
      code: "111",
      consumeSource: "FROM_API",
      staffOpenid: null,
      locationName: null,
      outerStr: null,
    });
    expect(card("user_del_card", ids)).toEqual({
      event: "user_del_card",
      cardId: "pCard1",
      openid: "o_user-1",
      code: "111",
    });
    expect(
      card(
        "user_gifting_card",
        `${ids}<FriendUserName>o_friend</FriendUserName><IsReturnBack>0</IsReturnBack><IsChatRoom>1</IsChatRoom>`,
      ),
    ).toMatchObject({ event: "user_gifting_card", friendOpenid: "o_friend", isReturnBack: false, isChatRoom: true });
    expect(card("user_view_card", `${ids}<OuterStr>menu</OuterStr>`)).toMatchObject({
      event: "user_view_card",
      outerStr: "menu",
    });
  });

  it("is null for other pushes, and refuses a card push without its ids", () => {
    expect(cardEventOf(parseInboundMessage(subscribe()))).toBeNull();
    expect(reason(() => card("user_get_card", "<CardId>pCard1</CardId>"))).toBe("shape");
    expect(reason(() => card("card_pass_check", "<CardId>p card</CardId>"))).toBe("shape");
    expect(reason(() => card("user_del_card", "<CardId>pCard1</CardId><UserCardCode>1 1</UserCardCode>"))).toBe(
      "shape",
    );
  });

  it("dedupe: two codes taken by one person in one second, or two cards reviewed in one second, are two events", () => {
    const key = (event: string, fields: string) => dedupeKey(parseInboundMessage(cardPush(event, fields)));
    const got = (code: string) => key("user_get_card", `<CardId>pCard1</CardId><UserCardCode>${code}</UserCardCode>`);
    expect(got("111")).not.toBe(got("222"));
    expect(got("111")).toBe(got("111"));
    expect(got("111")).toMatch(/^card:[A-Za-z0-9_-]{43}$/);
    expect(key("card_pass_check", "<CardId>pA</CardId>")).not.toBe(key("card_pass_check", "<CardId>pB</CardId>"));
    // A malformed card push still gets a key (the generic one) instead of failing the endpoint.
    expect(key("user_get_card", "<CardId>pCard1</CardId>")).toMatch(/^evt:/);
  });
});

describe("replies", () => {
  it("a text reply parses back, even with ]]> in the text", () => {
    const xml = buildTextReply({
      toOpenid: "o_user-1",
      fromAccount: "gh_abc",
      createTime: 1768464001.7,
      content: "欢迎 ]]> <b>",
    });
    expect(parseXmlFields(xml)).toEqual({
      ToUserName: "o_user-1",
      FromUserName: "gh_abc",
      CreateTime: "1768464001",
      MsgType: "text",
      Content: "欢迎 ]]> <b>",
    });
    expect(cdata("a]]>b")).toBe("<![CDATA[a]]]]><![CDATA[>b]]>");
  });

  it("the encrypted envelope carries Encrypt, MsgSignature, TimeStamp and Nonce", () => {
    const xml = buildEncryptedEnvelope({
      encrypt: "abc=",
      msgSignature: "f".repeat(40),
      timestamp: "1768464000",
      nonce: "n1",
    });
    expect(parseXmlFields(xml)).toEqual({
      Encrypt: "abc=",
      MsgSignature: "f".repeat(40),
      TimeStamp: "1768464000",
      Nonce: "n1",
    });
  });
});
