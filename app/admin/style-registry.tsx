"use client";
// What @ant-design/nextjs-registry's AntdRegistry does (collect antd's styles while the server renders and
// put them in the HTML, so the first paint is styled), with one style cache for the whole server process
// instead of one per request. With zeroRuntime the components' own CSS is the static antd.css, and what
// the cache holds is the theme's and each component's CSS variables: the same for every request, yet
// worked out anew per request (colour palettes, a thousand tokens turned into variables), about a third
// of the dashboard's server CPU. Kept, they are worked out once; the extracted text is kept too, and made
// again only when the cache has grown (entries are never removed on the server, and a key's content
// never changes: the key holds a hash of it). In the browser each page load gets its own cache, as before.
import { createCache, extractStyle, StyleProvider } from "@ant-design/cssinjs";
import { useServerInsertedHTML } from "next/navigation";
import { useRef, useState } from "react";

type Cache = ReturnType<typeof createCache>;

const server = typeof window === "undefined";
const shared: { cache?: Cache; size: number; text: string } = { size: -1, text: "" };

function sharedCache(): Cache {
  return (shared.cache ??= createCache());
}

/** Every style in the cache as CSS text, remade only when the cache has new entries. */
function styleText(cache: Cache): string {
  if (cache !== shared.cache) return extractStyle(cache, { plain: true });
  const size = cache.cache.size;
  if (size !== shared.size) {
    shared.text = extractStyle(cache, { plain: true });
    shared.size = size;
  }
  return shared.text;
}

export function StyleRegistry({ children }: { children: React.ReactNode }) {
  const [cache] = useState(() => (server ? sharedCache() : createCache()));
  // What this response has sent so far: each flush sends the styles again only if they grew meanwhile.
  const sent = useRef("");
  useServerInsertedHTML(() => {
    const text = styleText(cache);
    if (text === sent.current) return null;
    sent.current = text;
    return (
      <style
        // The id and order AntdRegistry uses, so antd's client code finds and keeps these styles.
        id="antd-cssinjs"
        data-rc-order="prepend"
        data-rc-priority="-1000"
        dangerouslySetInnerHTML={{ __html: text }}
      />
    );
  });
  return <StyleProvider cache={cache}>{children}</StyleProvider>;
}
