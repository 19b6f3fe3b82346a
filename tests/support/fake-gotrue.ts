/**
 * A stand-in for the Supabase Auth (GoTrue) server, the one boundary we cannot run here.
 * It speaks the real protocol for what supabase-js uses: the JWKS document, /user, the
 * password grant and logout, issuing ES256 tokens the way Supabase's asymmetric keys do.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, createLocalJWKSet, type JWK, type CryptoKey } from "jose";

export interface FakeUser {
  id: string;
  email: string;
  password: string;
  app_metadata?: Record<string, unknown>;
}

export async function startFakeGoTrue(users: FakeUser[] = []) {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = "test-key-1";
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig", key_ops: ["verify"] };
  const jwks = { keys: [jwk] };
  const localJwks = createLocalJWKSet(jwks);

  async function sign(claims: Record<string, unknown>, opts: { key?: CryptoKey; expiresIn?: string | number; kid?: string } = {}) {
    return new SignJWT({ role: "authenticated", aud: "authenticated", ...claims })
      .setProtectedHeader({ alg: "ES256", kid: opts.kid ?? kid, typ: "JWT" })
      .setIssuedAt()
      .setIssuer("fake-gotrue")
      .setExpirationTime(opts.expiresIn ?? "1h")
      .sign(opts.key ?? privateKey);
  }

  const userJson = (u: FakeUser) => ({
    id: u.id,
    aud: "authenticated",
    role: "authenticated",
    email: u.email,
    app_metadata: { provider: "email", ...(u.app_metadata ?? {}) },
    user_metadata: {},
    created_at: new Date(0).toISOString(),
  });

  const tokenFor = (u: FakeUser) =>
    sign({ sub: u.id, email: u.email, app_metadata: { provider: "email", ...(u.app_metadata ?? {}) }, user_metadata: {} });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    const body = await new Promise<string>((r) => {
      let b = "";
      req.on("data", (c) => (b += c));
      req.on("end", () => r(b));
    });
    if (req.method === "GET" && url.pathname === "/auth/v1/.well-known/jwks.json") return send(200, jwks);
    if (req.method === "GET" && url.pathname === "/auth/v1/user") {
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      try {
        const { payload } = await jwtVerify(token, localJwks);
        const u = users.find((x) => x.id === payload.sub);
        if (!u) return send(404, { code: 404, error_code: "user_not_found", msg: "User not found" });
        return send(200, userJson(u));
      } catch {
        return send(403, { code: 403, error_code: "bad_jwt", msg: "invalid JWT: unable to parse or verify signature" });
      }
    }
    if (req.method === "POST" && url.pathname === "/auth/v1/token" && url.searchParams.get("grant_type") === "password") {
      const { email, password } = JSON.parse(body || "{}");
      const u = users.find((x) => x.email === email && x.password === password);
      if (!u) return send(400, { code: 400, error_code: "invalid_credentials", msg: "Invalid login credentials" });
      const now = Math.floor(Date.now() / 1000);
      return send(200, {
        access_token: await tokenFor(u),
        token_type: "bearer",
        expires_in: 3600,
        expires_at: now + 3600,
        refresh_token: `refresh-${u.id}`,
        user: userJson(u),
      });
    }
    if (req.method === "POST" && url.pathname === "/auth/v1/logout") return send(204, undefined);
    send(404, { code: 404, msg: `no route ${req.method} ${url.pathname}` });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    sign,
    tokenFor,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
