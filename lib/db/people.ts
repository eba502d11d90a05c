// The named queries of a login and of a person (lib/users.ts, lib/auth/login.ts), run on the driver
// (driver.ts) or inside Prisma's transactions (sqlTxOf). One text for both databases: `:name`
// parameters, quoted identifiers, COALESCE, no casts. The columns Prisma fills itself are given here:
// ids (random UUIDs, as the message store's), and User."updatedAt" on every write of a User row.
import { namedQuery, type SqlTime } from "./driver";

/** The identity a login matches by (appid, openid), with its person's columns the login decides on. */
export const identityForLogin = namedQuery<
  {
    id: string;
    userId: string;
    identityScope: string;
    refreshTokenExpiresAt: SqlTime | null;
    unionid: string | null;
    scope: string;
    userinfoAt: SqlTime | null;
  },
  { appid: string; openid: string }
>(
  "people.identityForLogin",
  `SELECT i."id", i."userId", i."scope" AS "identityScope", i."refreshTokenExpiresAt",
          u."unionid", u."scope", u."userinfoAt"
   FROM "Identity" i JOIN "User" u ON u."id" = i."userId"
   WHERE i."appid" = :appid AND i."openid" = :openid`,
);

type LoginPerson = { id: string; scope: string; userinfoAt: SqlTime | null };

export const loginPersonById = namedQuery<LoginPerson, { id: string }>(
  "people.loginPersonById",
  `SELECT "id", "scope", "userinfoAt" FROM "User" WHERE "id" = :id`,
);

export const loginPersonByUnionid = namedQuery<LoginPerson, { unionid: string }>(
  "people.loginPersonByUnionid",
  `SELECT "id", "scope", "userinfoAt" FROM "User" WHERE "unionid" = :unionid`,
);

/** A new person, seen now; the other columns take the schema's defaults. */
export const insertPerson = namedQuery<never, { id: string; unionid: string | null; now: Date; updatedAt: Date }>(
  "people.insertPerson",
  `INSERT INTO "User" ("id", "unionid", "createdAt", "updatedAt", "lastLoginAt")
   VALUES (:id, :unionid, :now, :updatedAt, :now)`,
);

export type WebTokenColumns = {
  scope: string;
  accessTokenEnc: string;
  refreshTokenEnc: string;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
};

export const insertIdentity = namedQuery<
  never,
  WebTokenColumns & { id: string; appid: string; openid: string; userId: string; now: Date }
>(
  "people.insertIdentity",
  `INSERT INTO "Identity" ("id", "appid", "openid", "userId", "scope", "accessTokenEnc", "refreshTokenEnc",
                           "accessTokenExpiresAt", "refreshTokenExpiresAt", "createdAt", "lastLoginAt")
   VALUES (:id, :appid, :openid, :userId, :scope, :accessTokenEnc, :refreshTokenEnc,
           :accessTokenExpiresAt, :refreshTokenExpiresAt, :now, :now)`,
);

/** A login's identity with the new web tokens (a new version, no refresh lease). */
export const identityLoggedIn = namedQuery<never, WebTokenColumns & { id: string; userId: string; now: Date }>(
  "people.identityLoggedIn",
  `UPDATE "Identity" SET "userId" = :userId, "lastLoginAt" = :now, "tokenVersion" = "tokenVersion" + 1,
     "scope" = :scope, "accessTokenEnc" = :accessTokenEnc, "refreshTokenEnc" = :refreshTokenEnc,
     "accessTokenExpiresAt" = :accessTokenExpiresAt, "refreshTokenExpiresAt" = :refreshTokenExpiresAt,
     "refreshLeaseUntil" = NULL
   WHERE "id" = :id`,
);

/** A login's identity keeping its wider web tokens (a silent login after a still-refreshable userinfo grant). */
export const identityLoggedInKeepingTokens = namedQuery<never, { id: string; userId: string; now: Date }>(
  "people.identityLoggedInKeepingTokens",
  `UPDATE "Identity" SET "userId" = :userId, "lastLoginAt" = :now, "tokenVersion" = "tokenVersion" + 1
   WHERE "id" = :id`,
);

/** The profile fields WeChat's userinfo gives; null leaves a column as it is (personLoggedIn). */
export type ProfileColumns = {
  nickname: string | null;
  headimgurl: string | null;
  sex: number | null;
  province: string | null;
  city: string | null;
  country: string | null;
};

/**
 * A login's person: seen now; `scope` (null: unchanged) when the login widens it; `userinfoAt` set
 * when given and not set yet; the profile's fields when given.
 */
export const personLoggedIn = namedQuery<
  never,
  ProfileColumns & { id: string; now: Date; updatedAt: Date; scope: string | null; userinfoAt: Date | null }
>(
  "people.personLoggedIn",
  `UPDATE "User" SET "lastLoginAt" = :now, "updatedAt" = :updatedAt,
     "scope" = COALESCE(:scope, "scope"), "userinfoAt" = COALESCE("userinfoAt", :userinfoAt),
     "nickname" = COALESCE(:nickname, "nickname"), "headimgurl" = COALESCE(:headimgurl, "headimgurl"),
     "sex" = COALESCE(:sex, "sex"), "province" = COALESCE(:province, "province"),
     "city" = COALESCE(:city, "city"), "country" = COALESCE(:country, "country")
   WHERE "id" = :id`,
);

/** A profile pulled again (/api/me/profile/refresh). */
export const personProfile = namedQuery<never, ProfileColumns & { id: string; updatedAt: Date }>(
  "people.personProfile",
  `UPDATE "User" SET "nickname" = :nickname, "headimgurl" = :headimgurl, "sex" = :sex,
     "province" = :province, "city" = :city, "country" = :country, "updatedAt" = :updatedAt
   WHERE "id" = :id`,
);

export const insertLoginEvent = namedQuery<
  never,
  {
    id: string;
    userId: string;
    appid: string;
    scope: string;
    userAgent: string | null;
    ip: string | null;
    now: Date;
  }
>(
  "people.insertLoginEvent",
  `INSERT INTO "LoginEvent" ("id", "userId", "appid", "scope", "userAgent", "ip", "createdAt")
   VALUES (:id, :userId, :appid, :scope, :userAgent, :ip, :now)`,
);

// --- Two records of one person (a unionid another person holds): lib/users.ts attachUnionid.

/** What a merge keeps of each of the two people. */
export type MergedPerson = ProfileColumns & {
  id: string;
  unionid: string | null;
  scope: string;
  createdAt: SqlTime;
  userinfoAt: SqlTime | null;
};

const MERGED_COLUMNS = `"id", "unionid", "scope", "createdAt", "userinfoAt", "nickname", "headimgurl", "sex", "province", "city", "country"`;

export const mergedPersonById = namedQuery<MergedPerson, { id: string }>(
  "people.mergedPersonById",
  `SELECT ${MERGED_COLUMNS} FROM "User" WHERE "id" = :id`,
);

export const mergedPersonByUnionid = namedQuery<MergedPerson, { unionid: string }>(
  "people.mergedPersonByUnionid",
  `SELECT ${MERGED_COLUMNS} FROM "User" WHERE "unionid" = :unionid`,
);

export const personUnionid = namedQuery<never, { id: string; unionid: string; updatedAt: Date }>(
  "people.personUnionid",
  `UPDATE "User" SET "unionid" = :unionid, "updatedAt" = :updatedAt WHERE "id" = :id`,
);

export const moveIdentities = namedQuery<never, { from: string; to: string }>(
  "people.moveIdentities",
  `UPDATE "Identity" SET "userId" = :to WHERE "userId" = :from`,
);

export const moveLoginEvents = namedQuery<never, { from: string; to: string }>(
  "people.moveLoginEvents",
  `UPDATE "LoginEvent" SET "userId" = :to WHERE "userId" = :from`,
);

/** A person's orders are theirs after a merge too (their cashier and 我的订单 look them up by person). */
export const movePayOrders = namedQuery<never, { from: string; to: string }>(
  "people.movePayOrders",
  `UPDATE "PayOrder" SET "userId" = :to WHERE "userId" = :from`,
);

/** The person kept by a merge, with what it took from the other. */
export const mergedPerson = namedQuery<
  never,
  ProfileColumns & { id: string; scope: string; createdAt: Date; userinfoAt: Date | null; updatedAt: Date }
>(
  "people.mergedPerson",
  `UPDATE "User" SET "scope" = :scope, "createdAt" = :createdAt, "userinfoAt" = :userinfoAt,
     "nickname" = :nickname, "headimgurl" = :headimgurl, "sex" = :sex,
     "province" = :province, "city" = :city, "country" = :country, "updatedAt" = :updatedAt
   WHERE "id" = :id`,
);

/** The person merged away (its tags go with it; its pushes stay, without a person: the schema's actions). */
export const deletePerson = namedQuery<never, { id: string }>(
  "people.deletePerson",
  `DELETE FROM "User" WHERE "id" = :id`,
);

// --- The login's state (lib/auth/login.ts).

export const insertLoginState = namedQuery<
  never,
  {
    state: string;
    bindingHash: string;
    scope: string;
    returnTo: string;
    attempt: number;
    now: Date;
    expiresAt: Date;
  }
>(
  "people.insertLoginState",
  `INSERT INTO "LoginState" ("state", "bindingHash", "scope", "returnTo", "attempt", "createdAt", "expiresAt")
   VALUES (:state, :bindingHash, :scope, :returnTo, :attempt, :now, :expiresAt)`,
);

/** What a callback needs of the state it claimed. */
export type ClaimedLoginState = {
  state: string;
  bindingHash: string;
  scope: string;
  returnTo: string;
  /** 1 when the browser has snapshot-page visits not yet credited to anyone, else null */
  snapshotPending: number | null;
};

/**
 * The common callback's claim, in one statement: the state is claimed only if it is this browser's
 * (the binding cookie's hash), unexpired and unclaimed, which are the checks lib/auth/login.ts makes
 * before its own claim; with whether the browser has snapshot visits to credit.
 */
export const claimLoginStateOfBrowser = namedQuery<
  ClaimedLoginState,
  { state: string; bindingHash: string; now: Date; codeHash: string }
>(
  "people.claimLoginStateOfBrowser",
  `UPDATE "LoginState" SET "claimedAt" = :now, "codeHash" = :codeHash
   WHERE "state" = :state AND "claimedAt" IS NULL AND "bindingHash" = :bindingHash AND "expiresAt" > :now
   RETURNING "state", "bindingHash", "scope", "returnTo",
     (SELECT 1 FROM "SnapshotAttempt" s WHERE s."bindingHash" = "LoginState"."bindingHash" AND s."userId" IS NULL
      LIMIT 1) AS "snapshotPending"`,
);

/** The one callback that may exchange the state's code claims it (and no other can after). */
export const claimLoginState = namedQuery<never, { state: string; now: Date; codeHash: string | null }>(
  "people.claimLoginState",
  `UPDATE "LoginState" SET "claimedAt" = :now, "codeHash" = :codeHash
   WHERE "state" = :state AND "claimedAt" IS NULL`,
);

/** Marked done in the transaction that records the login. */
export const loginStateDone = namedQuery<never, { state: string; userId: string }>(
  "people.loginStateDone",
  `UPDATE "LoginState" SET "status" = 'done', "userId" = :userId WHERE "state" = :state`,
);
