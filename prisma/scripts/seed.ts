// `npm run db:seed -- --users 1000000 [--batch 5000] [--seed 42] [--reset]`: fills whatever DATABASE_URL
// names (default: the SQLite file under data/; run `npm run db:migrate` first) with realistic synthetic
// WeChat users for development and benchmarks: Chinese nicknames (some English, ~10% with emoji including
// ZWJ sequences, a few rare CJK outside the BMP), provinces and cities, ~60% snsapi_base (no profile) /
// 40% snsapi_userinfo, half of those with a unionid, a subscription mix, some staff remarks, snapshot
// attempts for ~1%, sign-ups over the last two years growing over time, one Identity per user and 1–5
// login events for the first 100,000 users. Deterministic: the same --seed gives the same rows.
//
// Speed: the drivers directly (better-sqlite3, pg) rather than Prisma, one transaction per batch, and the
// secondary indexes dropped while loading into an empty table and rebuilt afterwards (one sorted build is
// far cheaper than a million random b-tree / GIN inserts). They are rebuilt from their own definitions,
// read from the database, so the schema cannot drift.
import Database from "better-sqlite3";
import pg from "pg";
import { DEFAULT_DATABASE_URL, databaseKind, sqlitePath } from "../database-url";

// ---------------------------------------------------------------------------------------------- options

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} needs a whole number`);
  return value;
}

const USERS = option("users", 1000);
const BATCH = Math.max(1, option("batch", 5000));
const SEED = option("seed", 42);
const RESET = process.argv.includes("--reset");
const HISTORY_USERS = 100_000;
const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const APP_ID = process.env.WECHAT_APP_ID || "wx5e1f0c0de0000001";
const NOW = Date.UTC(2026, 10, 21, 8, 0, 0); // fixed, so a seed is reproducible to the millisecond
const SPAN = 730 * 86_400_000;

// ------------------------------------------------------------------------------------------------ data

/** sfc32: small, fast, good enough for synthetic data, and seedable (Math.random is not). */
function prng(seed: number) {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

const rand = prng(SEED);
const chance = (p: number) => rand() < p;
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const chars = (s: string) => Array.from(s);

const SURNAMES = chars(
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤",
);
const GIVEN = chars(
  "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁欣怡梓涵子轩雨桐一诺思远嘉豪晨阳佳琪梦瑶诗涵欣妍可馨",
);
const WORDS = ["小", "阿", "老", "大"];
const NICK_STYLES = [
  "快乐每一天",
  "岁月静好",
  "知足常乐",
  "追风少年",
  "一路向北",
  "平安喜乐",
  "努力的猪",
  "不忘初心",
  "微笑",
  "晴天",
  "海阔天空",
  "随遇而安",
  "向日葵",
  "清风徐来",
  "奋斗吧少年",
  "柠檬不萌",
];
const ENGLISH = [
  "Tony",
  "Kevin",
  "Amy",
  "Lucy",
  "Jack",
  "Coco",
  "Leo",
  "Ivy",
  "Sunny",
  "David",
  "Michael",
  "Grace",
  "Ellen",
  "Vincent",
  "Cindy",
  "Jason",
];
// Single code points, presentation selectors, skin tones and ZWJ sequences: the shapes that break naive code.
const EMOJI = [
  "😀",
  "🌸",
  "🍀",
  "🐱",
  "🐶",
  "🌙",
  "⭐",
  "❤️",
  "🔥",
  "🎉",
  "🌈",
  "☀️",
  "👍🏻",
  "🙏🏽",
  "👨‍👩‍👧",
  "👩‍💻",
  "🏳️‍🌈",
  "👨‍👨‍👦‍👦",
  "🧑🏻‍🍳",
  "🐻‍❄️",
];
// Outside the BMP (UTF-16 surrogate pairs, 4 bytes in UTF-8): 𠀀 𪚥 𰻞 𡃁 𠮷 𤭢.
const RARE = ["𠀀", "𪚥", "𰻞", "𡃁", "𠮷", "𤭢"];
const REMARKS = [
  "VIP客户",
  "老客户",
  "投诉过，注意沟通",
  "北京-王经理",
  "经销商",
  "已退款",
  "100%满意",
  "活动_双十一",
  "潜在客户",
  "内部员工",
  "合作伙伴 A_B",
  "需回访",
];
const PROVINCES: readonly (readonly [string, readonly string[]])[] = [
  ["广东", ["广州", "深圳", "东莞", "佛山", "珠海", "汕头"]],
  ["北京", ["东城", "朝阳", "海淀", "丰台"]],
  ["上海", ["浦东新区", "徐汇", "静安", "闵行"]],
  ["浙江", ["杭州", "宁波", "温州", "金华"]],
  ["江苏", ["南京", "苏州", "无锡", "常州"]],
  ["四川", ["成都", "绵阳", "德阳", "宜宾"]],
  ["山东", ["济南", "青岛", "烟台", "潍坊"]],
  ["河南", ["郑州", "洛阳", "开封", "南阳"]],
  ["湖北", ["武汉", "宜昌", "襄阳"]],
  ["湖南", ["长沙", "株洲", "岳阳"]],
  ["福建", ["福州", "厦门", "泉州"]],
  ["陕西", ["西安", "宝鸡", "咸阳"]],
  ["重庆", ["渝中", "江北", "南岸"]],
  ["云南", ["昆明", "大理", "丽江"]],
  ["黑龙江", ["哈尔滨", "齐齐哈尔"]],
  ["新疆", ["乌鲁木齐", "喀什"]],
];
const USER_AGENTS = [
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN",
  "Mozilla/5.0 (Linux; Android 14; V2243A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20240301 MMWEBID/1234 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/5G Language/zh_CN ABI/arm64",
  "Mozilla/5.0 (Linux; Android 13; PGT-AN10 Build/HONORPGT-AN10; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/1110005 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
];

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const randomString = (n: number, alphabet = ID_ALPHABET) => {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[int(alphabet.length)];
  return s;
};

let idCounter = 0;
/** cuid-shaped ("c" + time + counter + random), like the app's own ids, so they sort roughly by time. */
function cuid(time: number): string {
  idCounter = (idCounter + 1) % 1679616;
  return (
    "c" +
    time.toString(36).padStart(8, "0") +
    idCounter.toString(36).padStart(4, "0") +
    randomString(12, "abcdefghijklmnopqrstuvwxyz0123456789")
  );
}
/** WeChat's openids and unionids: 28 characters, starting with "o". */
const wechatId = () => "o" + randomString(27);

function nickname(): string {
  let name: string;
  const style = rand();
  if (style < 0.45) name = pick(SURNAMES) + pick(GIVEN) + (chance(0.6) ? pick(GIVEN) : "");
  else if (style < 0.6) name = pick(WORDS) + pick(GIVEN);
  else if (style < 0.8) name = pick(NICK_STYLES);
  else if (style < 0.92) name = pick(ENGLISH) + (chance(0.3) ? ` ${pick(SURNAMES)}` : "");
  else name = pick(NICK_STYLES) + pick(GIVEN);
  if (chance(0.1)) name = chance(0.5) ? name + pick(EMOJI) : pick(EMOJI) + name;
  if (chance(0.003)) name += pick(RARE);
  return name;
}

/** Sign-up times over two years, growing: the inverse CDF of an exponential density, in order. */
function signUpTime(i: number): number {
  const k = 1.6;
  const u = (i + rand()) / USERS;
  return NOW - SPAN + Math.floor((SPAN * Math.log(1 + u * Math.expm1(k))) / k);
}

interface UserRow {
  id: string;
  unionid: string | null;
  nickname: string | null;
  headimgurl: string | null;
  sex: number | null;
  province: string | null;
  city: string | null;
  country: string | null;
  scope: string;
  userinfoAt: number | null;
  subscribed: boolean | null;
  subscribedAt: number | null;
  remark: string | null;
  snapshotAttempts: number;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number;
}
interface IdentityRow {
  id: string;
  appid: string;
  openid: string;
  userId: string;
  scope: string;
  createdAt: number;
  lastLoginAt: number;
}
interface EventRow {
  id: string;
  userId: string;
  appid: string;
  scope: string;
  userAgent: string;
  ip: string;
  createdAt: number;
}

let previousCreatedAt = 0;
function makeUser(i: number): { user: UserRow; identity: IdentityRow; events: EventRow[] } {
  // ~0.5% share the previous user's exact timestamp (a batch import, a burst): keyset ties are real.
  const createdAt = i > 0 && chance(0.005) ? previousCreatedAt : signUpTime(i);
  previousCreatedAt = createdAt;
  const lastLoginAt = chance(0.3) ? createdAt : createdAt + Math.floor(rand() * (NOW - createdAt));
  const userinfo = chance(0.4);
  const scope = userinfo ? "snsapi_userinfo" : "snsapi_base";
  const [province, cities] = pick(PROVINCES);
  const subscribedRoll = rand();
  const subscribed = subscribedRoll < 0.45 ? true : subscribedRoll < 0.7 ? false : null;
  const id = cuid(createdAt);
  const user: UserRow = {
    id,
    unionid: userinfo && chance(0.5) ? wechatId() : null,
    nickname: userinfo ? nickname() : null,
    headimgurl: userinfo && chance(0.9) ? `https://thirdwx.qlogo.cn/mmopen/vi_32/${randomString(40)}/132` : null,
    sex: userinfo ? int(3) : null,
    province: userinfo ? province : null,
    city: userinfo ? pick(cities) : null,
    country: userinfo ? "中国" : null,
    scope,
    userinfoAt: userinfo ? createdAt + (chance(0.7) ? 0 : Math.floor(rand() * (lastLoginAt - createdAt))) : null,
    subscribed,
    subscribedAt: subscribed ? createdAt + int(86_400_000) : null,
    remark: chance(0.03) ? pick(REMARKS) : null,
    snapshotAttempts: chance(0.01) ? 1 + int(4) : 0,
    createdAt,
    updatedAt: lastLoginAt,
    lastLoginAt,
  };
  const identity: IdentityRow = {
    id: cuid(createdAt),
    appid: APP_ID,
    openid: wechatId(),
    userId: id,
    scope,
    createdAt,
    lastLoginAt,
  };
  const events: EventRow[] = [];
  if (i < HISTORY_USERS) {
    const n = 1 + int(5);
    for (let e = 0; e < n; e++) {
      const at =
        e === 0 ? createdAt : e === n - 1 ? lastLoginAt : createdAt + Math.floor(rand() * (lastLoginAt - createdAt));
      events.push({
        id: cuid(at),
        userId: id,
        appid: APP_ID,
        scope: e === 0 ? "snsapi_base" : scope,
        userAgent: pick(USER_AGENTS),
        ip: `${36 + int(180)}.${int(256)}.${int(256)}.${1 + int(254)}`,
        createdAt: at,
      });
    }
  }
  return { user, identity, events };
}

function* batches() {
  for (let start = 0; start < USERS; start += BATCH) {
    const users: UserRow[] = [];
    const identities: IdentityRow[] = [];
    const events: EventRow[] = [];
    for (let i = start; i < Math.min(USERS, start + BATCH); i++) {
      const made = makeUser(i);
      users.push(made.user);
      identities.push(made.identity);
      events.push(...made.events);
    }
    yield { users, identities, events, done: start + users.length };
  }
}

const USER_COLUMNS = [
  "id",
  "unionid",
  "nickname",
  "headimgurl",
  "sex",
  "province",
  "city",
  "country",
  "scope",
  "userinfoAt",
  "subscribed",
  "subscribedAt",
  "remark",
  "snapshotAttempts",
  "createdAt",
  "updatedAt",
  "lastLoginAt",
] as const;
const IDENTITY_COLUMNS = ["id", "appid", "openid", "userId", "scope", "createdAt", "lastLoginAt"] as const;
const EVENT_COLUMNS = ["id", "userId", "appid", "scope", "userAgent", "ip", "createdAt"] as const;
const TIME_COLUMNS = new Set(["userinfoAt", "subscribedAt", "createdAt", "updatedAt", "lastLoginAt"]);
const TABLES = ["User", "Identity", "LoginEvent"] as const;

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
let lastReport = 0;
function progress(done: number) {
  const now = performance.now();
  if (done < USERS && now - lastReport < 2000) return;
  lastReport = now;
  const rate = Math.round(done / ((now - started) / 1000));
  console.log(
    `  ${done.toLocaleString("en")} / ${USERS.toLocaleString("en")} users (${elapsed()}, ${rate.toLocaleString("en")}/s)`,
  );
}

// ----------------------------------------------------------------------------------------------- SQLite

function seedSqlite(file: string) {
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -262144"); // 256 MiB while loading
  sqlite.pragma("busy_timeout = 10000");
  prepareTables(
    () => (sqlite.prepare(`SELECT count(*) AS n FROM "User"`).get() as { n: number }).n,
    () => sqlite.exec(`DELETE FROM "LoginEvent"; DELETE FROM "Identity"; DELETE FROM "User";`),
  );
  // Secondary indexes (not the primary keys' autoindexes), rebuilt after loading.
  const indexes = sqlite
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('User', 'Identity', 'LoginEvent')`,
    )
    .all() as { name: string; sql: string }[];
  for (const index of indexes) sqlite.exec(`DROP INDEX "${index.name}"`);
  // The adapter's DateTime format (@prisma/adapter-better-sqlite3, timestampFormat "iso8601"): the
  // app compares these strings, so they must match it exactly.
  const time = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");
  const insert = (table: string, columns: readonly string[]) => {
    const statement = sqlite.prepare(
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    );
    return (row: Record<string, unknown>) =>
      statement.run(
        columns.map((c) => {
          const v = row[c];
          if (v === null || v === undefined) return null;
          if (TIME_COLUMNS.has(c)) return time(v as number);
          if (typeof v === "boolean") return v ? 1 : 0;
          return v;
        }),
      );
  };
  const insertUser = insert("User", USER_COLUMNS);
  const insertIdentity = insert("Identity", IDENTITY_COLUMNS);
  const insertEvent = insert("LoginEvent", EVENT_COLUMNS);
  const load = sqlite.transaction((batch: { users: UserRow[]; identities: IdentityRow[]; events: EventRow[] }) => {
    for (const u of batch.users) insertUser(u as unknown as Record<string, unknown>);
    for (const i of batch.identities) insertIdentity(i as unknown as Record<string, unknown>);
    for (const e of batch.events) insertEvent(e as unknown as Record<string, unknown>);
  });
  try {
    for (const batch of batches()) {
      load(batch);
      progress(batch.done);
    }
  } finally {
    console.log(`rebuilding ${indexes.length} indexes (${elapsed()})`);
    for (const index of indexes) sqlite.exec(index.sql);
  }
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.close();
}

function prepareTables(count: () => number, empty: () => void) {
  const existing = count();
  if (existing > 0 && !RESET) {
    console.error(`The database already has ${existing.toLocaleString("en")} users: add --reset to delete them first.`);
    process.exit(1);
  }
  if (existing > 0) {
    console.log(`deleting ${existing.toLocaleString("en")} users`);
    empty();
  }
}

// ------------------------------------------------------------------------------------------- PostgreSQL

const PG_TYPES: Record<string, string> = {
  sex: "int4",
  snapshotAttempts: "int4",
  subscribed: "bool",
};

async function seedPostgres(connectionString: string) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query("SET synchronous_commit = off");
  const { rows: counted } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "User"`);
  const existing = Number(counted[0]?.n ?? 0);
  let empty = false;
  prepareTables(
    () => existing,
    () => {
      empty = true;
    },
  );
  if (empty) await client.query(`TRUNCATE "LoginEvent", "Identity", "User"`);
  // Secondary indexes only: not the ones behind a constraint (primary keys).
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`,
    [TABLES],
  );
  for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
  // One statement per table per batch: unnest() turns parallel arrays into rows.
  const insert = (table: string, columns: readonly string[]) => {
    const types = columns.map((c) => (TIME_COLUMNS.has(c) ? "timestamp" : (PG_TYPES[c] ?? "text")));
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")})
                 SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(", ")})`;
    return (rows: readonly object[]) =>
      client.query(
        sql,
        columns.map((c) =>
          rows.map((row) => {
            const v = (row as Record<string, unknown>)[c];
            if (v === null || v === undefined) return null;
            // timestamp(3) without time zone holds UTC, as Prisma writes it.
            if (TIME_COLUMNS.has(c)) return new Date(v as number).toISOString().slice(0, -1);
            return v;
          }),
        ),
      );
  };
  const insertUsers = insert("User", USER_COLUMNS);
  const insertIdentities = insert("Identity", IDENTITY_COLUMNS);
  const insertEvents = insert("LoginEvent", EVENT_COLUMNS);
  try {
    for (const batch of batches()) {
      await client.query("BEGIN");
      await insertUsers(batch.users);
      await insertIdentities(batch.identities);
      if (batch.events.length > 0) await insertEvents(batch.events);
      await client.query("COMMIT");
      progress(batch.done);
    }
  } finally {
    console.log(`rebuilding ${indexes.length} indexes (${elapsed()})`);
    await client.query("SET maintenance_work_mem = '512MB'");
    for (const index of indexes) await client.query(index.def);
  }
  console.log(`analyze (${elapsed()})`);
  await client.query(`ANALYZE "User", "Identity", "LoginEvent"`);
  await client.end();
}

// ------------------------------------------------------------------------------------------------ main

const kind = databaseKind(url);
console.log(`seeding ${USERS.toLocaleString("en")} users into ${kind} (batch ${BATCH}, seed ${SEED}, appid ${APP_ID})`);
if (kind === "sqlite") seedSqlite(sqlitePath(url));
else await seedPostgres(url);
console.log(`done in ${elapsed()}`);
