// For tests: staff members and their session cookies, minted the way next-auth mints them at sign-in.
import type { Db } from "@/lib/db";
import { encodeStaffToken, STAFF_SESSION_COOKIE } from "@/lib/admin/session-token";
import { createStaff, type StaffMember, type StaffRole } from "@/lib/admin/staff";

export const TEST_PASSWORD = "correct-horse-battery-staple";

export async function makeStaff(db: Db, role: StaffRole, email = `${role}@example.com`): Promise<StaffMember> {
  return (await createStaff(db, { email, password: TEST_PASSWORD, role }, { update: true })).staff;
}

/** A Cookie header value carrying `staff`'s session. */
export async function staffCookie(staff: StaffMember, maxAge?: number): Promise<string> {
  const token = await encodeStaffToken({ sub: staff.id, email: staff.email, role: staff.role, pwv: staff.pwv }, maxAge);
  return `${STAFF_SESSION_COOKIE}=${token}`;
}
