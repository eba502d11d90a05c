/**
 * Followers, tags, blacklist and remarks of the simulated Official Account (cgi-bin/user/*, tags/*).
 *
 * A follower is an index into one list: first the fixture users (except the snapshot one, whose ids are
 * virtual), then `count` generated followers whose openid, unionid and details are derived from the index.
 * So a million followers cost one number, and only what changed (unsubscribed, remarks, tags, blacklist)
 * is stored, sparsely. This module is that state, its /__sim controls and the helpers the routes share;
 * the routes are in users.ts (user/*), tags.ts (tags/*) and blacklist.ts, each enforcing WeChat's
 * limits with WeChat's errcodes.
 */
import { SimulatorInputError, wxError, type ApiBody } from "../errors";
import { control } from "../http/router";
import type { SimCore, Surface } from "../surface";

/** user/get and getblacklist and user/tag/get page size. */
export const PAGE_SIZE = 10_000;
export const BATCHGET_MAX = 100;
export const TAGGING_MAX = 50;
export const BLACKLIST_MAX = 20;
export const MAX_TAGS = 100;
export const MAX_TAGS_PER_USER = 20;
export const TAG_NAME_MAX_BYTES = 30;
/** A tag with more fans than this cannot be deleted (45057). */
export const TAG_DELETE_MAX_FANS = 100_000;
/** updateremark: remark must be shorter than this many characters. */
export const REMARK_MAX_CHARS = 30;
/** Tag ids 0/1/2 are WeChat's own; user tags are numbered from 100. */
export const RESERVED_TAG_IDS: readonly number[] = [0, 1, 2];
export const FIRST_TAG_ID = 100;
/** Hard cap on generated followers (a number, not memory: but user/get must still terminate in tests). */
export const MAX_GENERATED = 50_000_000;

const GENERATED_PREFIX = "oSimFollower";
const GENERATED_RE = /^oSimFollower(\d{16})$/;
const UNIONID_PREFIX = "oSimUnion";
const OPENID_RE = /^o[A-Za-z0-9_-]{27}$/;
/** subscribe_time of generated follower 0 (2020-09-13); each next one a minute later. */
const GENERATED_EPOCH_S = 1_600_000_000;

export const SUBSCRIBE_SCENES = [
  "ADD_SCENE_SEARCH",
  "ADD_SCENE_ACCOUNT_MIGRATION",
  "ADD_SCENE_PROFILE_CARD",
  "ADD_SCENE_QR_CODE",
  "ADD_SCENE_PROFILE_LINK",
  "ADD_SCENE_PROFILE_ITEM",
  "ADD_SCENE_PAID",
  "ADD_SCENE_OTHERS",
] as const;
const LANGUAGES = ["zh_CN", "zh_CN", "en", "zh_TW"] as const;

/** The openid of generated follower `i` (0-based): 28 characters, sortable by index. */
export function generatedOpenid(i: number): string {
  return GENERATED_PREFIX + String(i).padStart(16, "0");
}

/** Every other generated follower (even index) has a unionid, as if the account were bound to an Open Platform. */
export function generatedUnionid(i: number): string | undefined {
  return i % 2 === 0 ? UNIONID_PREFIX + String(i).padStart(19, "0") : undefined;
}

interface FollowerRef {
  readonly index: number;
  readonly openid: string;
  readonly unionid: string | undefined;
}

export interface SimTag {
  readonly id: number;
  name: string;
  readonly members: Set<number>;
  /** Pretend fans on top of members, to reach 45057 without tagging 100,000 users 50 at a time. */
  extraCount: number;
}

export interface FollowerConfig {
  /** Generated followers after the fixtures. */
  readonly count: number;
  /** Whether the fixture users (except the snapshot one) are followers, first in the list. */
  readonly fixtures: boolean;
  /** openids per page of user/get, getblacklist and user/tag/get: WeChat's 10,000, smaller for tests. */
  readonly pageSize: number;
}

const DEFAULT_CONFIG: FollowerConfig = { count: 0, fixtures: true, pageSize: PAGE_SIZE };

/** A follower is an index into the list; the route modules read and change these directly. */
export class Followers implements Surface {
  private config: FollowerConfig = DEFAULT_CONFIG;
  private unsubscribed = new Set<number>();
  private resubscribedAt = new Map<number, number>();
  readonly remarks = new Map<number, string>();
  /** Tag ids by follower. */
  readonly userTags = new Map<number, Set<number>>();
  readonly tags = new Map<number, SimTag>();
  nextTagId = FIRST_TAG_ID;
  readonly blacklist = new Set<number>();
  private fixtureIndex = new Map<string, number>();
  /** While set, user/get past the first page waits (a test sees a sync midway, then lets it go on). */
  private listGate: { opened: Promise<void>; open: () => void; waiting: number } | null = null;

  constructor(private readonly core: SimCore) {
    this.reset();
  }

  reset(): void {
    this.configure(DEFAULT_CONFIG);
  }

  /** Replace the follower list: forgets unsubscriptions, remarks, tags and the blacklist. */
  configure(config: Partial<FollowerConfig>): FollowerConfig {
    const next = { ...DEFAULT_CONFIG, ...config };
    if (!Number.isInteger(next.count) || next.count < 0 || next.count > MAX_GENERATED) {
      throw new SimulatorInputError(`count must be an integer 0..${MAX_GENERATED}`);
    }
    if (typeof next.fixtures !== "boolean") throw new SimulatorInputError("fixtures must be a boolean");
    if (!Number.isInteger(next.pageSize) || next.pageSize < 1 || next.pageSize > PAGE_SIZE) {
      throw new SimulatorInputError(`pageSize must be an integer 1..${PAGE_SIZE}`);
    }
    this.releaseList();
    this.config = next;
    this.unsubscribed = new Set();
    this.resubscribedAt = new Map();
    this.remarks.clear();
    this.userTags.clear();
    this.tags.clear();
    this.tags.set(2, { id: 2, name: "星标组", members: new Set(), extraCount: 0 });
    this.nextTagId = FIRST_TAG_ID;
    this.blacklist.clear();
    this.fixtureIndex = new Map();
    return next;
  }

  // ---- the follower list ----

  private fixtures() {
    // Read lazily: the fixture users exist only once the server listens.
    if (!this.config.fixtures) return [];
    const list = this.core.users().filter((u) => !u.snapshot);
    if (this.fixtureIndex.size !== list.length) {
      this.fixtureIndex = new Map(list.map((u, i) => [u.openid, i]));
    }
    return list;
  }

  /** Everyone ever in the list (subscribed or not). */
  private size(): number {
    return this.fixtures().length + this.config.count;
  }

  ref(index: number): FollowerRef {
    const fixtures = this.fixtures();
    const fixture = fixtures[index];
    if (fixture) return { index, openid: fixture.openid, unionid: fixture.unionid };
    const i = index - fixtures.length;
    return { index, openid: generatedOpenid(i), unionid: generatedUnionid(i) };
  }

  /** The index of an openid of this account, or undefined. */
  indexOf(openid: string): number | undefined {
    const fixtures = this.fixtures();
    const fixture = this.fixtureIndex.get(openid);
    if (fixture !== undefined) return fixture;
    const match = GENERATED_RE.exec(openid);
    if (!match) return undefined;
    const i = Number(match[1]);
    return i < this.config.count ? fixtures.length + i : undefined;
  }

  isSubscribed(index: number): boolean {
    return index < this.size() && !this.unsubscribed.has(index);
  }

  /** Current followers. */
  total(): number {
    return this.size() - this.unsubscribed.size;
  }

  unsubscribe(openids: readonly string[]): number {
    let n = 0;
    for (const openid of openids) {
      const index = this.requireIndex(openid);
      if (!this.unsubscribed.has(index)) n++;
      this.unsubscribed.add(index);
      this.resubscribedAt.delete(index);
    }
    return n;
  }

  resubscribe(openids: readonly string[]): number {
    let n = 0;
    for (const openid of openids) {
      const index = this.requireIndex(openid);
      if (this.unsubscribed.delete(index)) {
        n++;
        this.resubscribedAt.set(index, Math.floor(this.core.now() / 1000));
      }
    }
    return n;
  }

  private requireIndex(openid: unknown): number {
    const index = typeof openid === "string" ? this.indexOf(openid) : undefined;
    if (index === undefined) throw new SimulatorInputError(`not a follower openid: ${JSON.stringify(openid)}`);
    return index;
  }

  /** What user/info says about one follower (subscribed or not). */
  info(index: number, lang: string): ApiBody {
    const ref = this.ref(index);
    if (!this.isSubscribed(index)) return { subscribe: 0, openid: ref.openid };
    const fixtures = this.fixtures();
    const generated = index - fixtures.length;
    const seed = generated >= 0 ? generated : index;
    const scene = SUBSCRIBE_SCENES[seed % SUBSCRIBE_SCENES.length] ?? "ADD_SCENE_OTHERS";
    const qr = scene === "ADD_SCENE_QR_CODE";
    const body: ApiBody = {
      subscribe: 1,
      openid: ref.openid,
      language: lang === "en" || lang === "zh_TW" ? lang : (LANGUAGES[seed % LANGUAGES.length] ?? "zh_CN"),
      subscribe_time: this.resubscribedAt.get(index) ?? GENERATED_EPOCH_S + seed * 60,
      remark: this.remarks.get(index) ?? "",
      groupid: 0,
      tagid_list: [...(this.userTags.get(index) ?? [])].sort((a, b) => a - b),
      subscribe_scene: scene,
      qr_scene: qr ? (seed % 1000) + 1 : 0,
      qr_scene_str: qr ? `sim-${seed % 100}` : "",
    };
    if (ref.unionid) body.unionid = ref.unionid;
    return body;
  }

  // ---- holding the list midway ----

  /** From now on, user/get calls past the first page wait until releaseList() (or a reset). */
  holdList(): void {
    if (this.listGate) return;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.listGate = { opened, open, waiting: 0 };
  }

  /** Lets every held user/get call answer; how many were waiting. */
  releaseList(): number {
    const gate = this.listGate;
    this.listGate = null;
    gate?.open();
    return gate?.waiting ?? 0;
  }

  /** Resolves when a user/get call starting at `nextOpenid` may answer. */
  async listMayAnswer(nextOpenid: string): Promise<void> {
    const gate = this.listGate;
    if (!gate || nextOpenid === "") return;
    gate.waiting++;
    await gate.opened;
  }

  // ---- what the routes share ----

  err(errcode: number, message?: string): ApiBody {
    return wxError(errcode, this.core.now(), message);
  }

  /** One page of a list in list order, WeChat style: next_openid is the last one, even on the last page. */
  page(from: number, include: (index: number) => boolean, total: number): ApiBody {
    const size = this.size();
    const openids: string[] = [];
    let i = from;
    for (; i < size && openids.length < this.config.pageSize; i++) if (include(i)) openids.push(this.ref(i).openid);
    if (openids.length === 0) return { total, count: 0, next_openid: "" };
    return { total, count: openids.length, data: { openid: openids }, next_openid: openids[openids.length - 1] };
  }

  /** One page of `members` in openid order, starting after the openid `begin`. */
  sortedPage(members: Iterable<number>, begin: unknown, total: number): ApiBody {
    const sorted = [...members].sort((a, b) => a - b);
    let start = 0;
    if (typeof begin === "string" && begin !== "") {
      const index = this.indexOf(begin);
      if (index === undefined) return this.err(40003);
      start = sorted.findIndex((i) => i > index);
      if (start === -1) start = sorted.length;
    }
    const slice = sorted.slice(start, start + this.config.pageSize).map((i) => this.ref(i).openid);
    if (slice.length === 0) return { total, count: 0, next_openid: "" };
    return { total, count: slice.length, data: { openid: slice }, next_openid: slice[slice.length - 1] };
  }

  /** The indexes of an openid_list, or WeChat's error for the whole call. */
  openidList(body: Record<string, unknown>, max: number): { indexes?: number[]; error?: ApiBody } {
    const list = body.openid_list;
    if (!Array.isArray(list) || list.length === 0) return { error: this.err(40032) };
    if (list.length > max) return { error: this.err(40032) };
    const indexes: number[] = [];
    for (const openid of list as unknown[]) {
      if (typeof openid !== "string" || !OPENID_RE.test(openid)) return { error: this.err(40003) };
      const index = this.indexOf(openid);
      // Well-formed but unknown here: an openid of another account.
      if (index === undefined) return { error: this.err(49003) };
      indexes.push(index);
    }
    return { indexes };
  }

  tagList(): ApiBody {
    return {
      tags: [...this.tags.values()]
        .sort((a, b) => a.id - b.id)
        .map((t) => ({ id: t.id, name: t.name, count: t.members.size + t.extraCount })),
    };
  }

  // ---- state for tests ----

  snapshot() {
    return {
      ...this.config,
      total: this.total(),
      unsubscribed: this.unsubscribed.size,
      tags: (this.tagList().tags as unknown[]) ?? [],
      blacklist: [...this.blacklist].sort((a, b) => a - b).map((i) => this.ref(i).openid),
    };
  }

  /** The openid at list position `index` (fixtures first), for tests. */
  openidAt(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.size()) {
      throw new SimulatorInputError(`no follower at index ${index}`);
    }
    return this.ref(index).openid;
  }

  /** The tag ids WeChat holds for an openid, for tests. */
  tagsOf(openid: string): number[] {
    return [...(this.userTags.get(this.requireIndex(openid)) ?? [])].sort((a, b) => a - b);
  }

  remarkOf(openid: string): string {
    return this.remarks.get(this.requireIndex(openid)) ?? "";
  }

  isBlacklisted(openid: string): boolean {
    return this.blacklist.has(this.requireIndex(openid));
  }

  /** Pretend the tag has this many fans in total (for 45057). */
  inflateTag(tagid: number, count: number): void {
    const tag = this.tags.get(tagid);
    if (!tag) throw new SimulatorInputError(`no tag ${tagid}`);
    if (!Number.isInteger(count) || count < tag.members.size) throw new SimulatorInputError("count too small");
    tag.extraCount = count - tag.members.size;
  }

  // ---- HTTP controls ----

  readonly controls = [
    control("GET", "/__sim/followers", () => this.snapshot()),
    control("POST", "/__sim/followers/configure", (input) => {
      const config: Partial<{ count: number; fixtures: boolean; pageSize: number }> = {};
      if (input.count !== undefined) config.count = input.count as number;
      if (input.pageSize !== undefined) config.pageSize = input.pageSize as number;
      if (input.fixtures !== undefined) config.fixtures = input.fixtures as boolean;
      this.configure(config);
      return { ok: true, total: this.total() };
    }),
    control("POST", "/__sim/followers/hold-list", () => {
      this.holdList();
      return { ok: true };
    }),
    control("POST", "/__sim/followers/release-list", () => ({ ok: true, released: this.releaseList() })),
    control("GET", "/__sim/followers/held-list", () => ({
      held: this.listGate !== null,
      waiting: this.listGate?.waiting ?? 0,
    })),
    control("POST", "/__sim/followers/unsubscribe", (input) => ({
      ok: true,
      changed: this.unsubscribe(stringList(input.openids)),
      total: this.total(),
    })),
    control("POST", "/__sim/followers/resubscribe", (input) => ({
      ok: true,
      changed: this.resubscribe(stringList(input.openids)),
      total: this.total(),
    })),
    control("GET", "/__sim/followers/openid", (_input, query) => ({
      openid: this.openidAt(Number(query.get("index"))),
    })),
    control("POST", "/__sim/followers/inflate-tag", (input) => {
      this.inflateTag(input.tagid as number, input.count as number);
      return { ok: true };
    }),
  ];
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new SimulatorInputError("openids must be an array of strings");
  }
  return value as string[];
}
