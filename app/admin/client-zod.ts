// zod for the console's browser code. Without jitless, zod probes for eval (`new Function("")`) before
// its first parse to compile faster parsers; the Content-Security-Policy (no 'unsafe-eval') refuses that
// and reports a violation on every page that parses. Answers of a few rows need no compiled parser.
import { z } from "zod";

z.config({ jitless: true });

export { z };
