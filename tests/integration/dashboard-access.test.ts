/**
 * Non-operators are refused the dashboard, its model pages and its export. In embedded mode
 * everyone is the local operator, so this is checked here with the identity mocked: the
 * pages render Forbidden (and read nothing), the export route answers 401 and 403.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ReactElement } from "react";

const identity = vi.hoisted(() => ({ current: null as null | { userId: string; isOperator: boolean; claims: unknown; source: string } }));
const loadDashboard = vi.hoisted(() => vi.fn());

vi.mock("@/lib/auth", () => ({ getIdentity: async () => identity.current }));
vi.mock("@/lib/auth/page", () => ({
  pageIdentity: async (_path: string, opts: { operator?: boolean } = {}) =>
    identity.current && (!opts.operator || identity.current.isOperator) ? identity.current : null,
}));
vi.mock("@/lib/analytics/load", () => ({ loadDashboard }));

const user = { userId: "a0000000-0000-4000-8000-00000000000a", isOperator: false, claims: { sub: "a", role: "authenticated" }, source: "supabase" };

beforeEach(() => {
  loadDashboard.mockReset();
  identity.current = user;
});

describe("dashboard access", () => {
  it("the overview renders Forbidden for a non-operator and reads nothing", async () => {
    const { default: DashboardPage } = await import("../../app/(ops)/dashboard/page");
    const { Forbidden } = await import("../../components/forbidden");
    const el = (await DashboardPage({ searchParams: Promise.resolve({}) })) as ReactElement<{ what: string }>;
    expect(el.type).toBe(Forbidden);
    expect(el.props.what).toBe("The Dashboard");
    expect(loadDashboard).not.toHaveBeenCalled();
  });

  it("a model page renders Forbidden for a non-operator", async () => {
    const { default: ModelPage } = await import("../../app/(ops)/dashboard/models/[model]/page");
    const { Forbidden } = await import("../../components/forbidden");
    const el = (await ModelPage({ params: Promise.resolve({ model: "mathstral" }), searchParams: Promise.resolve({}) })) as ReactElement;
    expect(el.type).toBe(Forbidden);
    expect(loadDashboard).not.toHaveBeenCalled();
  });

  it("an operator gets the dashboard, with the filters from the URL", async () => {
    identity.current = { ...user, isOperator: true };
    loadDashboard.mockResolvedValue({ marker: true });
    const { default: DashboardPage } = await import("../../app/(ops)/dashboard/page");
    const el = (await DashboardPage({ searchParams: Promise.resolve({ range: "24h", task: "math" }) })) as ReactElement<{ data: unknown }>;
    expect(el.props.data).toEqual({ marker: true });
    expect(loadDashboard).toHaveBeenCalledWith(identity.current, { range: "24h", model: null, taskType: "math" });
  });

  it("the export route answers 403 to a non-operator and 401 to the signed-out", async () => {
    const { GET } = await import("../../app/(ops)/dashboard/export/route");
    const res = await GET(new Request("http://localhost/dashboard/export?format=csv"));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "forbidden:auth" } });
    identity.current = null;
    expect((await GET(new Request("http://localhost/dashboard/export?format=jsonl"))).status).toBe(401);
  });

  it("the export route refuses an unknown format", async () => {
    identity.current = { ...user, isOperator: true };
    const { GET } = await import("../../app/(ops)/dashboard/export/route");
    const res = await GET(new Request("http://localhost/dashboard/export?format=xlsx"));
    expect(res.status).toBe(400);
  });
});
