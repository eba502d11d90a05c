// A person's remark: WeChat's updateremark first (under 30 characters, checked before calling), then ours.
import { openidsOf, type FollowerDeps } from "./deps";

export async function updateRemark(deps: FollowerDeps, userId: string, remark: string): Promise<string> {
  const [person] = await openidsOf(deps, [userId]);
  if (!person) throw new Error("unreachable: openidsOf returns one person per id");
  const value = await deps.wechat.updateRemark(person.openid, remark);
  await deps.db.user.update({ where: { id: userId }, data: { remark: value || null } });
  return value;
}
