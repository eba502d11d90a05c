// The framework's floor for `bench/run.ts`: the cheapest route handler Next.js can serve, measured in
// the same run as /api/me so the ratio says what our code costs. Absent unless WCUC_BENCH=1.
export function GET(): Response {
  if (process.env.WCUC_BENCH !== "1") return new Response(null, { status: 404 });
  return Response.json({ ok: true });
}
