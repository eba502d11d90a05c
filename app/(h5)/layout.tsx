// The end user's pages, in WeUI (the WeChat design team's own CSS library): inside WeChat they should look
// like WeChat, in its dark mode too. WeUI's CSS is imported here only, so it never reaches the console.
import type { Viewport } from "next";
import "weui/dist/style/weui.css";
import "./h5.css";

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ededed" },
    { media: "(prefers-color-scheme: dark)", color: "#111111" },
  ],
  colorScheme: "light dark",
};

export default function H5Layout({ children }: { children: React.ReactNode }) {
  return <div className="h5-page">{children}</div>;
}
