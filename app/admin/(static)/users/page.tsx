// /admin/users: the user list, as a static shell. The HTML is prerendered once at build time (proxy.ts
// still turns away a request without a staff session); the browser reads the URL, asks GET
// /api/admin/users for one keyset page, and draws the rows (user-list.tsx). Why not a server-rendered
// page: any dynamic App Router page costs about three bare route handlers in its RSC and SSR pipeline
// before it reads a row (README, "Admin console performance"); the JSON route is the page's cost now.
import { Suspense } from "react";
import { UserList } from "./user-list";
import "./user-table.css";

// Keeps the shell static: `next build` fails if anything here ever reads the request (cookies, headers,
// searchParams) rather than silently making every view a server render again. Not "force-static": that
// would prerender the list with empty search params, and the browser would hydrate it with the wrong view.
// The deny-by-default test keeps server data out of what this page imports.
export const dynamic = "error";

export default function UsersPage() {
  return (
    // useSearchParams() has no value at build time: the prerendered HTML is this fallback.
    <Suspense fallback={<ListLoading />}>
      <UserList />
    </Suspense>
  );
}

function ListLoading() {
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-xl font-semibold">用户</h1>
      <p className="py-10 text-center text-sm text-neutral-500" data-testid="user-list-loading" aria-busy="true">
        正在加载用户列表…
      </p>
    </div>
  );
}
