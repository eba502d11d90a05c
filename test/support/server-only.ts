// vitest.config.ts resolves "server-only" to this file: the real package throws on import outside
// React Server Components, and tests import server modules directly.
export {};
