// Structured log lines (JSON on stdout/stderr). Callers pass fields, never tokens: keys that could carry
// a secret are dropped here as a second line of defence.
// Not "code": app error codes and WeChat errcodes are what operators need; OAuth codes are never logged.
const SECRET_KEYS = /token|secret|password|cookie|authorization|^(auth|oauth)_?code$/i;

type Fields = Record<string, unknown>;

function scrub(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, SECRET_KEYS.test(k) ? "[redacted]" : v]));
}

function write(level: "info" | "warn" | "error", event: string, fields: Fields) {
  if (process.env.WCUC_LOG === "silent") return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), event, ...scrub(fields) });
  (level === "info" ? console.log : console.error)(line);
}

export const log = {
  info: (event: string, fields: Fields = {}) => write("info", event, fields),
  warn: (event: string, fields: Fields = {}) => write("warn", event, fields),
  error: (event: string, fields: Fields = {}) => write("error", event, fields),
};
