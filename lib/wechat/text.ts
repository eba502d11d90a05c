// Text from WeChat (nicknames, remarks, places) as our databases can store it. A nickname may hold
// U+0000, which PostgreSQL's text refuses, or a lone UTF-16 surrogate (a cut emoji), which neither
// database's UTF-8 can encode: such a profile made every login fail. Each is replaced by U+FFFD, so the
// person logs in and an operator sees where a character was lost.

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(text: string): string {
  return text.replace(UNSTORABLE, "\uFFFD");
}

/** Byte length in UTF-8, WeChat's measure of tag and menu names, keys and URLs (a CJK character is 3, an emoji 4). */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}
