/**
 * `npm run key -- create <name>` prints a new API key once; `list` shows the keys (prefix,
 * name, last use, revoked); `revoke <prefix>` revokes one. For scripts and first-time editor
 * set-up without clicking through Settings. Embedded mode: the local operator's keys, with
 * the app stopped (the embedded database allows one process; the message says so).
 * Supabase mode (DATABASE_URL …): `--user <uuid>` says whose keys, acting under that user's
 * RLS like the app does.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseEnv } from "../lib/config/env";
import { DatabaseLockedError } from "../lib/db/data-dir-lock";
import { openPglite } from "../lib/db/pglite";
import { openPostgres } from "../lib/db/postgres";
import { migrate } from "../lib/db/migrate";
import { withClaims } from "../lib/db/session";
import { createApiKey, listApiKeys, revokeApiKey } from "../lib/db/queries/api-keys";
import { generateApiKey } from "../lib/api/key-format";
import { identityForKeyUser } from "../lib/api/keys";
import { LOCAL_OPERATOR_ID } from "../lib/auth/claims";
import { apiKeyCreateSchema } from "../app/settings/schema";

class UsageError extends Error {}
const USAGE = "usage: npm run key -- create <name> | list | revoke <prefix>   [--user <uuid>, Supabase mode]";

async function main() {
  const { values, positionals } = parseArgs({ options: { user: { type: "string" }, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  if (values.help) return console.log(USAGE);
  const [command, arg, ...extra] = positionals;
  if (!command || extra.length || !["create", "list", "revoke"].includes(command)) throw new UsageError(USAGE);
  const e = parseEnv();
  const userId = values.user ?? (e.mode === "embedded" ? LOCAL_OPERATOR_ID : null);
  if (!userId || !/^[0-9a-f-]{36}$/i.test(userId)) throw new UsageError(`--user: the user's id (a uuid from auth.users) is needed in Supabase mode.\n${USAGE}`);
  const identity = identityForKeyUser(userId, e.mode);
  const db = e.mode === "embedded" ? await openPglite({ dataDir: path.resolve(e.pgliteDataDir) }) : openPostgres(e.databaseUrl!, { max: 1 });
  try {
    await migrate(db, { local: e.mode === "embedded" });
    await withClaims(db, identity.claims, async (tx) => {
      if (command === "create") {
        const parsed = apiKeyCreateSchema.safeParse({ name: arg ?? "" });
        if (!parsed.success) throw new UsageError(`name: ${parsed.error.issues[0].message}`);
        const k = generateApiKey();
        await createApiKey(tx, { name: parsed.data.name, prefix: k.prefix, keyHash: k.hash });
        console.log(`Created "${parsed.data.name}" (${k.prefix}…). The key, shown this once:\n\n${k.secret}\n\nUse it as the bearer token (or the API key in your editor's settings).`);
      } else if (command === "list") {
        const keys = await listApiKeys(tx);
        if (keys.length === 0) console.log("No keys yet: npm run key -- create <name>");
        for (const k of keys) {
          const state = k.revoked_at ? `revoked ${k.revoked_at.toISOString().slice(0, 10)}` : k.last_used_at ? `last used ${k.last_used_at.toISOString().slice(0, 16).replace("T", " ")}` : "never used";
          console.log(`${k.prefix}…  ${k.name}  (${state})`);
        }
      } else {
        if (!arg) throw new UsageError(`revoke: which key? Give its prefix (npm run key -- list).\n${USAGE}`);
        const matches = (await listApiKeys(tx)).filter((k) => k.prefix.startsWith(arg.replace(/…$/, "")) && !k.revoked_at);
        if (matches.length !== 1) throw new UsageError(matches.length ? `"${arg}" matches ${matches.length} keys: give more of the prefix.` : `No live key starts with "${arg}".`);
        await revokeApiKey(tx, { id: matches[0].id });
        console.log(`Revoked ${matches[0].prefix}… (${matches[0].name}).`);
      }
    });
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  if (e instanceof ConfigError || e instanceof UsageError || e instanceof DatabaseLockedError) console.error(e.message);
  else console.error(e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
