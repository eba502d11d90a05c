/** A waitForURL predicate: this origin and exactly this path (any query). */
export function atPath(origin: string, path: string): (url: URL) => boolean {
  return (url) => url.origin === origin && url.pathname === path;
}
