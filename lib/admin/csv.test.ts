// The CSV encoder: what Excel needs (BOM, CRLF, RFC 4180 quoting), the formula-injection guard, and a
// stream that pulls its source one batch at a time.
import { describe, expect, it } from "vitest";
import { BOM, csvCell, csvRow, csvStream } from "./csv";

describe("csvCell", () => {
  it.each([
    ["plain", "plain"],
    ["王小明", "王小明"],
    ["👨‍👩‍👧𠮷", "👨‍👩‍👧𠮷"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rlf", '"cr\rlf"'],
    ["", ""],
  ])("%j → %j", (input, output) => {
    expect(csvCell(input)).toBe(output);
  });

  it.each([
    ["=1+1", "'=1+1"],
    ["+86 138", "'+86 138"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", '"\'\rx"'],
    ['=HYPERLINK("http://evil","点我")', `"'=HYPERLINK(""http://evil"",""点我"")"`],
    // Spreadsheets trim leading white space before reading a formula.
    [" =3+3", "' =3+3"],
    ["\n=4+4", `"'\n=4+4"`],
    ["\u3000=5+5", "'\u3000=5+5"],
  ])("defuses formula %j → %j", (input, output) => {
    expect(csvCell(input)).toBe(output);
  });

  it("writes null as empty and numbers as they are (a negative number is data, not a formula)", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell(true)).toBe("true");
  });
});

describe("csvRow", () => {
  it("joins with commas and ends with CRLF", () => {
    expect(csvRow(["a", null, "b,c"])).toBe('a,,"b,c"\r\n');
  });
});

describe("csvStream", () => {
  it("starts with the BOM and header, then pulls one batch per read", async () => {
    const pulled: number[] = [];
    async function* batches() {
      for (let b = 0; b < 3; b++) {
        pulled.push(b);
        yield [`张${b}`, `=x${b}`];
      }
    }
    const stream = csvStream(["昵称"], batches(), (name: string) => [name]);
    const reader = stream.getReader();
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe(`${BOM}昵称\r\n`);
    // Nothing is pulled beyond what the queue holds: at most one batch ahead of the reader.
    expect(pulled.length).toBeLessThanOrEqual(1);
    const second = await reader.read();
    expect(decoder.decode(second.value)).toBe("张0\r\n'=x0\r\n");
    expect(pulled.length).toBeLessThanOrEqual(2);
    const rest: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest.push(decoder.decode(value));
    }
    expect(rest).toEqual(["张1\r\n'=x1\r\n", "张2\r\n'=x2\r\n"]);
  });

  it("bytes are UTF-8 with the BOM EF BB BF first", async () => {
    const bytes = new Uint8Array(
      await new Response(csvStream(["昵称"], (async function* () {})(), () => [])).arrayBuffer(),
    );
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes)).toBe("昵称\r\n");
  });

  it("closes the source when the reader cancels (the client went away)", async () => {
    let finished = false;
    async function* endless() {
      try {
        for (;;) yield ["x"];
      } finally {
        finished = true;
      }
    }
    const reader = csvStream(["h"], endless(), (x: string) => [x]).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(finished).toBe(true);
  });
});
