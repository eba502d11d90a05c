"use client";
// The frame of the static console pages: the same <ConsoleFrame> as the (console) layout, filled in from
// GET /api/admin/whoami in the browser. The staff member (or the failure to learn who it is) is handed to
// the page below through a context, so that the page needs no second request for the role.
import { createContext, useContext, useEffect, useState } from "react";
import { z } from "../client-zod";
import { ConsoleFrame, type FrameStaff } from "../console-frame";
import { consoleFetch } from "../console-fetch";

const whoamiAnswer = z.object({
  staff: z.object({ email: z.string(), role: z.enum(["admin", "viewer"]) }),
  signInSlowed: z.boolean(),
});

export interface StaffState {
  /** Null until whoami answers, and when it failed. */
  readonly staff: FrameStaff | null;
  /** whoami has answered (or failed): `staff` is final. */
  readonly settled: boolean;
}

const StaffContext = createContext<StaffState>({ staff: null, settled: false });

/** Who is signed in, as the frame learnt it. */
export function useStaff(): StaffState {
  return useContext(StaffContext);
}

export function StaffFrame({ children }: { children: React.ReactNode }) {
  const [state, setState] = useState<StaffState & { error?: string; signInSlowed?: boolean }>({
    staff: null,
    settled: false,
  });
  useEffect(() => {
    const controller = new AbortController();
    void consoleFetch("/api/admin/whoami", { schema: whoamiAnswer, signal: controller.signal }).then((answer) => {
      if (answer.kind === "ok")
        setState({ staff: answer.data.staff, settled: true, signInSlowed: answer.data.signInSlowed });
      else if (answer.kind === "error") setState({ staff: null, settled: true, error: answer.message });
    });
    return () => controller.abort();
  }, []);
  return (
    <StaffContext value={state}>
      <ConsoleFrame staff={state.staff} signInSlowed={state.signInSlowed ?? false}>
        {state.error && (
          <p
            role="alert"
            data-testid="whoami-error"
            className="mb-4 rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800"
          >
            无法确认登录身份：{state.error}
          </p>
        )}
        {children}
      </ConsoleFrame>
    </StaffContext>
  );
}
