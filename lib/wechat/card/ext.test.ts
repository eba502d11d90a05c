import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cardExtSignature, createCardExt, verifyCardExtSignature } from "./ext";

// Computed by hand, outside this code: the values one a line, `LC_ALL=C sort`, joined, `sha1sum`.
const TICKET = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
const CARD_ID = "pFS7Fjg8kV1IdDz01r4SQwMkuCKc";
const parts = { apiTicket: TICKET, timestamp: "1767225600", cardId: CARD_ID, nonceStr: "Wm3WZYTPz0wzccnW" };

describe("cardExt signature: sha1 of the sorted values", () => {
  it("matches the hand-computed vector without code and openid", () => {
    expect(cardExtSignature(parts)).toBe("c0378970303ed2365891e8cc56e558442db23ab2");
    // An absent code or openid is the empty string: it sorts first and adds nothing.
    expect(cardExtSignature({ ...parts, code: "", openid: "" })).toBe("c0378970303ed2365891e8cc56e558442db23ab2");
    expect(cardExtSignature({ ...parts, timestamp: 1767225600 })).toBe("c0378970303ed2365891e8cc56e558442db23ab2");
  });

  it("matches the hand-computed vector with code and openid", () => {
    expect(cardExtSignature({ ...parts, code: "123456789012", openid: "oAbCdEfGhIjKlMnOpQrStUvWxYz0" })).toBe(
      "d6f4f045d68c75da35bb0498d616579a489019f1",
    );
  });

  it("sorts by code unit like the shell's C locale (digits, then upper, then lower case)", () => {
    // Any other order of the same values gives another hash: the sort is part of the rule.
    const unsorted = [TICKET, "1767225600", CARD_ID, "Wm3WZYTPz0wzccnW"].join("");
    expect(cardExtSignature(parts)).not.toBe(createHash("sha1").update(unsorted).digest("hex"));
  });

  it("verifies in constant time, case-insensitively, and refuses any other value", () => {
    expect(verifyCardExtSignature(parts, "c0378970303ed2365891e8cc56e558442db23ab2")).toBe(true);
    expect(verifyCardExtSignature(parts, "C0378970303ED2365891E8CC56E558442DB23AB2")).toBe(true);
    expect(verifyCardExtSignature(parts, "c0378970303ed2365891e8cc56e558442db23ab3")).toBe(false);
    expect(verifyCardExtSignature(parts, "c0378970")).toBe(false);
    expect(
      verifyCardExtSignature({ ...parts, nonceStr: "Wm3WZYTPz0wzccnX" }, "c0378970303ed2365891e8cc56e558442db23ab2"),
    ).toBe(false);
  });
});

describe("createCardExt", () => {
  it("is the JSON wx.addCard takes: string timestamp, nonce_str, outer_str, and the signature over them", () => {
    const entry = createCardExt({
      apiTicket: TICKET,
      cardId: CARD_ID,
      nowMs: 1767225600_999,
      randomBytes: (n) => new Uint8Array(n).fill(7),
      outerStr: "poster_2026",
    });
    expect(entry.cardId).toBe(CARD_ID);
    const ext = JSON.parse(entry.cardExt) as Record<string, string>;
    expect(Object.keys(ext)).toEqual(["timestamp", "nonce_str", "outer_str", "signature"]);
    expect(ext.timestamp).toBe("1767225600");
    expect(ext.nonce_str).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(ext.outer_str).toBe("poster_2026");
    expect(
      verifyCardExtSignature(
        { apiTicket: TICKET, timestamp: ext.timestamp!, cardId: CARD_ID, nonceStr: ext.nonce_str! },
        ext.signature!,
      ),
    ).toBe(true);
  });
});
