import boundaries from "eslint-plugin-boundaries";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// The layers (README, Layout): app/ -> lib/ -> lib/wechat/; simulator/ stands alone; test/ may use all.
// Elements are whole top-level folders, matched from the repository root; the first match wins.
const elements = [
  { type: "wechat", pattern: "lib/wechat", partialMatch: false },
  { type: "generated", pattern: "lib/generated", partialMatch: false },
  { type: "lib", pattern: "lib", partialMatch: false },
  { type: "app", pattern: "app", partialMatch: false },
  { type: "simulator", pattern: "simulator", partialMatch: false },
  { type: "test", pattern: "test", partialMatch: false },
  { type: "e2e", pattern: "e2e", partialMatch: false },
  { type: "bench", pattern: "bench", partialMatch: false },
  { type: "prisma", pattern: "prisma", partialMatch: false },
];

const from = (type) => ({ element: { types: type } });
const anything = { to: { module: { origin: ["local", "external", "core"] } } };

// Policies are read top to bottom and the last one that matches a dependency decides.
const layerPolicies = [
  // lib/ is the product: it uses itself, the protocol, the generated Prisma clients and prisma/'s URL
  // helpers, and packages; never app/, the simulator, test support, e2e/ or bench/.
  {
    from: from("lib"),
    disallow: { to: { module: { origin: "local" } } },
    message: "lib/ is the product: it may not import app/, simulator/, test/, e2e/ or bench/ (README, Layout)",
  },
  { from: from("lib"), allow: { to: { element: { types: ["lib", "wechat", "generated", "prisma"] } } } },
  // lib/wechat/ is the pure protocol: itself, Node's built-ins, zod and the XML parser; no Next.js,
  // Prisma, React, server-only or other lib/ folder.
  {
    from: from("wechat"),
    disallow: anything,
    message:
      "lib/wechat/ is the pure protocol: only lib/wechat/, node: built-ins, zod and fast-xml-parser (README, Layout)",
  },
  {
    from: from("wechat"),
    allow: {
      to: [
        { element: { types: "wechat" } },
        { module: { origin: "core" } },
        { module: { origin: "external", source: ["zod", "fast-xml-parser"] } },
      ],
    },
  },
  // The simulator is WeChat, not us: it shares no code with the app or its tests.
  {
    from: from("simulator"),
    disallow: { to: { module: { origin: "local" } } },
    message: "simulator/ plays WeChat and shares no code with the app: only simulator/ and packages (README, Layout)",
  },
  { from: from("simulator"), allow: { to: { element: { types: "simulator" } } } },
];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      ".next-*/**",
      "lib/generated/**",
      "data/**",
      "node_modules/**",
      "next-env.d.ts",
      "test-results/**",
      "playwright-report/**",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // Ant Design is the console's look: the end user's pages (WeUI) must not pay for it.
  {
    files: ["**/*.{ts,tsx,mts,cts,js,mjs,jsx}"],
    ignores: ["app/admin/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["antd", "antd/*", "@ant-design/*"],
              message: "Ant Design is for the admin console only: import it under app/admin/ (README, Admin console)",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.{ts,tsx,mts,cts,js,mjs,jsx}"],
    // Unit tests beside lib/'s code may use test support (test/); lib/'s own code may not.
    ignores: ["lib/**/*.test.ts"],
    plugins: { boundaries },
    settings: {
      "boundaries/root-path": import.meta.dirname,
      "boundaries/elements": elements,
      "boundaries/dependency-nodes": ["import", "dynamic-import", "export", "require"],
      // An "@/..." that resolves nowhere stays local (and unknown), so it cannot slip through as a package.
      "boundaries/flag-as-external": { unresolvableAlias: false },
      "boundaries/legacy-templates": false,
      "import/resolver": {
        typescript: { project: `${import.meta.dirname}/tsconfig.json`, alwaysTryTypes: true },
        node: true,
      },
    },
    rules: {
      "boundaries/dependencies": [
        "error",
        { default: "allow", checkAllOrigins: true, checkUnknownLocals: true, policies: layerPolicies },
      ],
    },
  },
];

export default config;
