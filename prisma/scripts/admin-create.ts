// `npm run admin:create -- --email a@b.c --role admin|viewer [--update] [--password-stdin]`
//
// Creates a staff member of the admin console in the database DATABASE_URL names. The password comes
// from ADMIN_PASSWORD, or from standard input with --password-stdin (one line), or is asked for on the
// terminal without echo; never from the command line (it would sit in the shell history and `ps`). An
// existing email is only changed (password and role) with --update. Weak passwords are refused.
//
// Runs with the react-server condition (see package.json) so that lib/'s "server-only" modules load.
import { parseArgs } from "node:util";
import { createDb } from "@/lib/db";
import { DEFAULT_DATABASE_URL } from "@/prisma/database-url";
import { createStaff, StaffInputError } from "@/lib/admin/staff";

const USAGE =
  "usage: npm run admin:create -- --email you@example.com --role admin|viewer [--update] [--password-stdin]";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let value = "";
    const done = (result: string | Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === "\r" || ch === "\n") return done(value);
        if (ch === "\u0003") return done(new Error("cancelled"));
        if (ch === "\u007f" || ch === "\b") value = Array.from(value).slice(0, -1).join("");
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  if (fromStdin) return readStdinLine();
  if (!process.stdin.isTTY) fail("No password: set ADMIN_PASSWORD, pass --password-stdin, or run on a terminal.");
  const password = await promptHidden("Password (at least 12 characters): ");
  const again = await promptHidden("Again: ");
  if (password !== again) fail("The two passwords differ.");
  return password;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        email: { type: "string" },
        role: { type: "string" },
        update: { type: "boolean", default: false },
        "password-stdin": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.email || !values.role) fail(USAGE);

  const password = await readPassword(values["password-stdin"]);
  // Only the database is needed: not the app's secrets, which production would otherwise demand here.
  const db = createDb(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  try {
    const { staff, created } = await createStaff(
      db,
      { email: values.email, password, role: values.role },
      { update: values.update },
    );
    process.stdout.write(`${created ? "Created" : "Updated"} ${staff.role} ${staff.email}\n`);
  } catch (err) {
    if (err instanceof StaffInputError) fail(err.message);
    throw err;
  } finally {
    await db.$disconnect();
  }
}

await main();
