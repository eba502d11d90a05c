// Primary keys for rows the app inserts itself (Prisma's @default(cuid()) only fills its own inserts).
import { randomBytes } from "node:crypto";

const PROCESS_TAG = randomBytes(4).toString("hex");
let counter = 0;

/**
 * Ids that grow with time (like cuid's): a million new rows then land at the right edge of the primary
 * key's B-tree instead of at random pages all over it, which at that size decides the insert speed.
 * A letter saying who made the row (`f` the follower sync, `l` a login), time, this process's random
 * tag, a counter: unique across processes, ordered within one.
 */
export function newId(prefix: string): string {
  counter = (counter + 1) % 36 ** 6;
  return `${prefix}${Date.now().toString(36).padStart(9, "0")}${PROCESS_TAG}${counter.toString(36).padStart(6, "0")}`;
}
