import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { capPerUser, countedArms, MIN_PER_USER } from "../../lib/learning/user-share";

const rows = (counts: Record<string, number>) => Object.entries(counts).flatMap(([user_id, n]) => Array.from({ length: n }, (_, i) => ({ user_id, i })));

describe("one user's share of an experiment", () => {
  it("caps a user who floods an arm to a share of what the arm counts, keeping their earliest outcomes", () => {
    const kept = capPerUser(rows({ flood: 100, a: 5, b: 5, c: 5, d: 5 }), 0.25);
    const flood = kept.filter((r) => r.user_id === "flood");
    expect(flood.length / kept.length).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(flood.map((r) => r.i)).toEqual(flood.map((_, i) => i)); // the first ones
    expect(kept.filter((r) => r.user_id === "a")).toHaveLength(5);
  });

  it("a small team still counts: a user alone is everyone, two users share equally, at least a few outcomes each", () => {
    expect(capPerUser(rows({ solo: 10 }), 0.25)).toHaveLength(10);
    expect(capPerUser(rows({ a: 2, b: 2 }), 0.25)).toHaveLength(4);
    const two = capPerUser(rows({ a: 40, b: 6 }), 0.25);
    expect(two.filter((r) => r.user_id === "a")).toHaveLength(6);
    expect(capPerUser(rows({ a: 40, b: 1 }), 0.25).filter((r) => r.user_id === "a")).toHaveLength(MIN_PER_USER);
  });

  it("never counts more than was recorded, nor any user beyond the share once the arm is larger than the minimum allows", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("u1", "u2", "u3", "u4", "u5", "u6"), fc.integer({ min: 0, max: 60 })), fc.double({ min: 0.1, max: 1, noNaN: true }), (counts, share) => {
        const all = rows(counts);
        const kept = capPerUser(all, share);
        expect(kept.length).toBeLessThanOrEqual(all.length);
        const per = new Map<string, number>();
        for (const r of kept) per.set(r.user_id, (per.get(r.user_id) ?? 0) + 1);
        const effective = Math.max(share, 1 / Math.max(1, new Set(all.map((r) => r.user_id)).size));
        for (const n of per.values()) expect(n).toBeLessThanOrEqual(Math.max(MIN_PER_USER, Math.ceil(effective * kept.length)));
      }),
    );
  });

  it("splits by arm before capping (each arm's users counted apart)", () => {
    const r = [...rows({ x: 8 }).map((o) => ({ ...o, experiment_arm: "control" as const })), ...rows({ y: 2 }).map((o) => ({ ...o, experiment_arm: "variant" as const }))];
    const arms = countedArms(r, 0.25);
    expect(arms.control).toHaveLength(8); // x alone in control
    expect(arms.variant).toHaveLength(2);
  });
});
