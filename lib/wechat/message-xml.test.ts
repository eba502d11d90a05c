import { describe, expect, it } from "vitest";
import {
  MessageXmlError,
  buildEncryptedEnvelope,
  buildTextReply,
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
