// The list's rows are built as an HTML string, so escaping is ours to get right: hostile nicknames,
// remarks, ids and avatar URLs must come out as text, and every cell the console shows must be there.
import { describe, expect, it } from "vitest";
import type { UserListRow } from "@/lib/admin/users";
import { escapeHtml, userRowsHtml } from "./rows-html";

const row = (over: Partial<UserListRow> = {}): UserListRow => ({
  id: "u001",
  nickname: "快乐👨‍👩‍👧家",
  headimgurl: "https://thirdwx.qlogo.cn/mmopen/abc/132",
  openid: "oOpenE2e000oooooooooooooooooo",
  unionid: null,
  scope: "snsapi_userinfo",
  subscribed: true,
  remark: null,
  snapshotAttempts: 0,
  province: null,
  city: null,
  createdAt: new Date("2025-12-31T16:00:00.000Z"),
  lastLoginAt: new Date("2026-01-01T02:03:00.000Z"),
  ...over,
});

/** The markup with every escaped value taken out: what is left must be only our own tags. */
const tagsOf = (html: string) => [...html.matchAll(/<\/?([a-z]+)/g)].map((m) => m[1]);

describe("escapeHtml", () => {
  it("escapes the five characters that can end text or a quoted attribute", () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;",
    );
    expect(escapeHtml("王 😀 𠮷")).toBe("王 😀 𠮷");
  });
});

describe("userRowsHtml", () => {
  it("writes every column with the test ids the console's browser tests use", () => {
    const html = userRowsHtml([row()], { from: "", selectable: false });
    expect(html).toContain(`<tr data-testid='user-row' data-user-id='u001'>`);
    expect(html).toContain(`<a href='/admin/users/u001' class='u' data-testid='user-link'>`);
    expect(html).toContain(`data-testid='avatar-fallback'>快</span>`);
    expect(html).toContain(`<img src='https://thirdwx.qlogo.cn/mmopen/abc/132' alt=''`);
    expect(html).toContain(`data-testid='user-nickname'>快乐👨‍👩‍👧家</span>`);
    expect(html).toContain(`title='oOpenE2e000oooooooooooooooooo' data-testid='user-openid'>oOpenE2e000`);
    expect(html).toContain(`data-testid='user-unionid'>—</span>`);
    expect(html).toContain(`<span class='sc ui' title='snsapi_userinfo' data-testid='user-scope'>资料</span>`);
    expect(html).toContain(`<td data-testid='user-subscribed'>是</td>`);
    expect(html).toContain(`data-testid='user-created'>2026-01-01 00:00</td>`);
    expect(html).toContain(`data-testid='user-last-login'>2026-01-01 10:03</td>`);
    expect(html).not.toContain("checkbox");
  });

  it("says what is unknown: no profile, no subscription status, an unknown scope", () => {
    const html = userRowsHtml([row({ nickname: null, headimgurl: null, subscribed: null, scope: "x" })], {
      from: "",
      selectable: false,
    });
    expect(html).toContain("（未授权资料）");
    expect(html).toContain(`data-testid='avatar-fallback'>微</span>`);
    expect(html).not.toContain("<img");
    expect(html).toContain(`未知</span></td>`);
    expect(html).toContain(`<span class='sc' title='x' data-testid='user-scope'>x</span>`);
  });

  it("gives admins a checkbox per row, for the user-selection form, labelled with the name", () => {
    const html = userRowsHtml([row(), row({ id: "u002", nickname: null })], { from: "", selectable: true });
    expect(html).toContain(
      `<input type='checkbox' name='uid' value='u001' form='user-selection' aria-label='选择 快乐👨‍👩‍👧家'>`,
    );
    expect(html).toContain(`value='u002' form='user-selection' aria-label='选择 微信用户'`);
  });

  it("hands the list's query to the person's page", () => {
    const html = userRowsHtml([row({ id: "a/b" })], { from: "q=王&scope=snsapi_base", selectable: false });
    expect(html).toContain(`href='/admin/users/a%2Fb?from=q%3D%E7%8E%8B%26scope%3Dsnsapi_base'`);
  });

  it("turns hostile values into text: no tag, attribute or URL of theirs survives", () => {
    const evil = `"'><img src=x onerror=alert(1)><script>alert('x')</script>`;
    const html = userRowsHtml(
      [
        row({
          id: `u'"><script>`,
          nickname: evil,
          remark: evil,
          openid: evil,
          unionid: evil,
          scope: evil,
          headimgurl: `x' onerror='alert(1)`,
        }),
      ],
      { from: evil, selectable: true },
    );
    expect(html).not.toMatch(/<script|<img src=x|onerror=["']|onerror=alert\(1\)>/);
    expect(tagsOf(html)).toEqual(
      tagsOf(
        userRowsHtml([row({ remark: "r", unionid: "oU", headimgurl: "https://x/y" })], {
          from: "",
          selectable: true,
        }),
      ),
    );
    expect(html).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  });

  it("shows the remark beside the name and in its title", () => {
    const html = userRowsHtml([row({ remark: "VIP,大客户" })], { from: "", selectable: false });
    expect(html).toContain(`data-testid='user-nickname' title='备注：VIP,大客户'>`);
    expect(html).toContain(`<span class='rm'>VIP,大客户</span>`);
  });
});
