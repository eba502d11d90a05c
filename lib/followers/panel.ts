// What a person's page shows about them as a follower: subscription, scene, tags, remark, blacklist.
import type { Db } from "@/lib/db";
import { listTags, type TagRow } from "./tags";

export interface FollowerPanel {
  readonly userId: string;
  /** this account's openid for them; null when only another app knows them (no follower actions then) */
  readonly openid: string | null;
  readonly subscribed: boolean | null;
  readonly subscribedAt: Date | null;
  readonly unsubscribedAt: Date | null;
  readonly subscribeScene: string | null;
  readonly qrScene: string | null;
  readonly language: string | null;
  readonly remark: string | null;
  readonly followerSeenAt: Date | null;
  readonly blacklisted: boolean;
  readonly blacklistedAt: Date | null;
  readonly tags: readonly { id: number; name: string }[];
  /** every tag, for the "add a tag" select */
  readonly allTags: readonly TagRow[];
}

export async function getFollowerPanel(db: Db, appId: string, userId: string): Promise<FollowerPanel | null> {
  const [user, allTags] = await Promise.all([
    db.user.findUnique({
      where: { id: userId },
      select: {
        id: true,
        subscribed: true,
        subscribedAt: true,
        unsubscribedAt: true,
        subscribeScene: true,
        qrScene: true,
        language: true,
        remark: true,
        followerSeenAt: true,
        blacklisted: true,
        blacklistedAt: true,
        identities: { where: { appid: appId }, select: { openid: true }, take: 1 },
        tags: { select: { tag: { select: { id: true, name: true } } }, orderBy: { tagId: "asc" } },
      },
    }),
    listTags(db),
  ]);
  if (!user) return null;
  const { identities, tags, id, ...rest } = user;
  return { userId: id, ...rest, openid: identities[0]?.openid ?? null, tags: tags.map((t) => t.tag), allTags };
}
