// Runs once when the server starts: configuration is validated before the first request, so a
// missing or weak secret in production stops start-up with a message naming the variable.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./lib/startup");
}
