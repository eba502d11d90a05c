// CSV that Excel opens correctly: UTF-8 with a BOM (without it Excel on Windows guesses GBK and
// garbles every Chinese name), CRLF line ends, RFC 4180 quoting, and cells that would start a formula
// defused with a leading apostrophe (OWASP "CSV injection": a nickname is attacker-controlled text).
// Pure: no database, no Next.js.

export const BOM = "\uFEFF";

// Also after leading white space (" =3+3", "\n=4+4"): spreadsheets trim it before reading a formula.
const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@])/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: formula guard first, then quotes when the text has a quote, comma or line break. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return cells.map(csvCell).join(",") + "\r\n";
}

/**
 * A byte stream of CSV: the BOM and header at once, then one chunk per batch of rows, each pulled only
 * when the consumer is ready for more (ReadableStream's pull), so memory holds one batch at a time
 * however many rows there are. The source is closed when the reader cancels (client went away).
 */
export function csvStream<T>(
  header: readonly string[],
  batches: AsyncIterable<readonly T[]>,
  toCells: (row: T) => readonly (string | number | boolean | null | undefined)[],
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = batches[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(BOM + csvRow(header)));
      },
      async pull(controller) {
        const { value, done } = await iterator.next();
        if (done) {
          controller.close();
          return;
        }
        let chunk = "";
        for (const row of value) chunk += csvRow(toCells(row));
        controller.enqueue(encoder.encode(chunk));
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    // One batch in the queue at a time: back-pressure reaches the database.
    { highWaterMark: 1 },
  );
}
