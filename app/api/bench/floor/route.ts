// TEST-ONLY ROUTE, fenced: 404 unless the server runs with WCUC_BENCH=1, which only bench/servers.ts
// sets. The framework's floor for the benchmarks (bench/run.ts, admin.ts, token.ts, profile.ts): the
// cheapest route handler Next.js can serve, measured in the same run as /api/me so the ratio says what
// our code costs. It reads nothing and writes nothing; see README, Layout.
export function GET(): Response {
  if (process.env.WCUC_BENCH !== "1") return new Response(null, { status: 404 });
  return Response.json({ ok: true });
}
