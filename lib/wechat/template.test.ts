import { describe, expect, it } from "vitest";
import type { CgiCall, CgiClient } from "./cgi";
import { WeChatApiError } from "./errors";
import {
  WeChatCustomService,
  WeChatTemplates,
  fieldOf47003,
  parseTemplateFields,
  templateDataProblems,
  valueProblem,
} from "./template";

describe("parseTemplateFields", () => {
  it("names each field once with its type and the label before it on its line", () => {
    const content =
      "{{first.DATA}}\n订单编号：{{character_string1.DATA}}\n商品名称：{{thing2.DATA}}\n金额: {{amount3.DATA}} 共{{number4.DATA}}件\n{{remark.DATA}}\n商品名称：{{thing2.DATA}}";
    expect(parseTemplateFields(content)).toEqual([
      { key: "first", type: "first", label: "first" },
      { key: "character_string1", type: "character_string", label: "订单编号" },
      { key: "thing2", type: "thing", label: "商品名称" },
      { key: "amount3", type: "amount", label: "金额" },
      { key: "number4", type: "number", label: "共" },
      { key: "remark", type: "remark", label: "remark" },
    ]);
  });

  it("finds nothing in a content without placeholders", () => {
    expect(parseTemplateFields("你好")).toEqual([]);
  });
});

describe("valueProblem (WeChat's 2023 value rules)", () => {
  const cases: [string, string[], string[]][] = [
    ["thing", ["发货啦", "一".repeat(20), "😀ok"], ["", "一".repeat(21)]],
    ["number", ["12", "3.1415", "9".repeat(32)], ["1a", "-1", "1.", "9".repeat(33)]],
    ["letter", ["abcXYZ"], ["abc1", "中文", "a".repeat(33)]],
    ["symbol", ["!", "%$#@&"], ["a!", "!!!!!!", "1"]],
    ["character_string", ["ORDER-2026_001", "a".repeat(32)], ["has space", "订单1", "a".repeat(33)]],
    ["phone_number", ["13800138000", "+86 138-0013-8000", "020-12345678"], ["phone", "1".repeat(18), "138-"]],
    ["car_number", ["粤B12345", "粤BD12345", "京A1234学"], ["粤b12345", "粤B123456789", "12"]],
    ["name", ["张三", "欧阳".repeat(5), "John Smith"], ["张三1", "欧".repeat(11), "a".repeat(21)]],
    ["phrase", ["已发货", "五个汉字呀"], ["六个汉字太长", "ok", "已发货!"]],
    ["time", ["15:01", "2026年12月4日 15:01", "2026-12-04 09:30:00", "09:00~18:00"], ["25:00", "3pm", "15:1"]],
    ["date", ["2026年12月4日", "2026-12-04", "2026/12/04 15:01", "2026-12-01 ~ 2026-12-31"], ["12/04", "明天"]],
    ["amount", ["¥12.50", "12.50元", "$5", "100"], ["12.345", "一百元", "¥", "1".repeat(21)]],
    ["unknown_type", ["随便什么"], [""]],
  ];
  for (const [type, good, bad] of cases) {
    it(`${type}: takes ${good.length} good and refuses ${bad.length} bad values`, () => {
      for (const value of good) expect(valueProblem(type, value), `${type} ${value}`).toBeNull();
      for (const value of bad) expect(valueProblem(type, value), `${type} ${value}`).toMatch(/^须为/);
    });
  }
});

describe("templateDataProblems", () => {
  const fields = parseTemplateFields("商品：{{thing1.DATA}}\n金额：{{amount2.DATA}}\n时间：{{time3.DATA}}");

  it("names every missing or bad field, in content order, by its label; extra keys are ignored", () => {
    expect(
      templateDataProblems(fields, {
        thing1: { value: "一".repeat(21) },
        time3: { value: "15:01" },
        first: { value: "ignored" },
      }),
    ).toEqual([
      { field: "thing1", message: "「商品」须为1–20 个字。" },
      { field: "amount2", message: "请填写「金额」。" },
    ]);
  });

  it("is empty for good data", () => {
    expect(
      templateDataProblems(fields, { thing1: { value: "咖啡" }, amount2: { value: "¥18" }, time3: { value: "15:01" } }),
    ).toEqual([]);
  });

  it("does not take a key from the prototype", () => {
    const f = parseTemplateFields("{{constructor.DATA}}");
    expect(templateDataProblems(f, {})).toEqual([{ field: "constructor", message: "请填写「constructor」。" }]);
  });
});

describe("fieldOf47003", () => {
  it("reads the field WeChat names", () => {
    expect(fieldOf47003("argument invalid! data.thing2.value invalid, rid: 1")).toBe("thing2");
    expect(fieldOf47003("argument invalid!")).toBeNull();
  });
});

describe("WeChatTemplates", () => {
  const client = (answer: unknown) => {
    const calls: CgiCall<unknown>[] = [];
    const cgi: CgiClient = {
      async call<T>(call: CgiCall<T>): Promise<T> {
        calls.push(call as CgiCall<unknown>);
        return call.schema.parse(answer);
      },
    };
    return { cgi, calls };
  };

  it("lists the templates in our names", async () => {
    const { cgi, calls } = client({
      template_list: [
        {
          template_id: "T1",
          title: "订单发货通知",
          primary_industry: "IT科技",
          deputy_industry: "互联网",
          content: "{{thing1.DATA}}",
          example: "x",
        },
      ],
    });
    expect(await new WeChatTemplates(cgi).list()).toEqual([
      {
        templateId: "T1",
        title: "订单发货通知",
        primaryIndustry: "IT科技",
        deputyIndustry: "互联网",
        content: "{{thing1.DATA}}",
        example: "x",
      },
    ]);
    expect(calls[0]).toMatchObject({
      method: "GET",
      path: "/cgi-bin/template/get_all_private_template",
      idempotent: true,
    });
  });

  it("adds by short id without retrying, and deletes", async () => {
    const add = client({ errcode: 0, template_id: "NEW" });
    expect(await new WeChatTemplates(add.cgi).add("OPENTM1", ["商品名称"])).toBe("NEW");
    expect(add.calls[0]).toMatchObject({
      body: { template_id_short: "OPENTM1", keyword_name_list: ["商品名称"] },
      idempotent: false,
    });
    const del = client({ errcode: 0, errmsg: "ok" });
    await new WeChatTemplates(del.cgi).remove("T1");
    expect(del.calls[0]).toMatchObject({ path: "/cgi-bin/template/del_private_template", body: { template_id: "T1" } });
  });

  it("sends in WeChat's shape; retries only with a client_msg_id; keeps a 64-bit msgid as text", async () => {
    const one = client({ errcode: 0, errmsg: "ok", msgid: "9223372036854775807" });
    const templates = new WeChatTemplates(one.cgi);
    expect(
      await templates.send({
        touser: "o1",
        templateId: "T1",
        data: { thing1: { value: "a" } },
        url: "https://x.test/",
      }),
    ).toEqual({ msgid: "9223372036854775807" });
    expect(one.calls[0]).toMatchObject({
      body: { touser: "o1", template_id: "T1", url: "https://x.test/", data: { thing1: { value: "a" } } },
      idempotent: false,
    });
    const two = client({ errcode: 0, msgid: 42 });
    expect(
      await new WeChatTemplates(two.cgi).send({ touser: "o1", templateId: "T1", data: {}, clientMsgId: "m1" }),
    ).toEqual({
      msgid: "42",
    });
    expect(two.calls[0]).toMatchObject({ body: { client_msg_id: "m1" }, idempotent: true });
  });

  it("refuses a client_msg_id over 32 characters before calling", async () => {
    const { cgi, calls } = client({ errcode: 0, msgid: 1 });
    await expect(
      new WeChatTemplates(cgi).send({ touser: "o1", templateId: "T1", data: {}, clientMsgId: "x".repeat(33) }),
    ).rejects.toBeInstanceOf(WeChatApiError);
    expect(calls).toHaveLength(0);
  });

  it("sends a customer service text, never retried", async () => {
    const { cgi, calls } = client({ errcode: 0, errmsg: "ok" });
    await new WeChatCustomService(cgi).sendText("o1", "你好");
    expect(calls[0]).toMatchObject({
      path: "/cgi-bin/message/custom/send",
      body: { touser: "o1", msgtype: "text", text: { content: "你好" } },
      idempotent: false,
    });
  });
});
