import { describe, expect, it } from "vitest";
import {
  DEFAULT_VOTER_WEIGHTS,
  classifyByNeighbours,
  combineVotes,
  cosineSimilarity,
  updateVoterWeights,
  voterWeight,
  votesFrom,
  type Vote,
} from "../../lib/learning/ensemble";

describe("combineVotes", () => {
  it("lets the weighted majority win", () => {
    const votes: Vote[] = [
      { name: "features", taskType: "math", confidence: 0.6, weight: 0.5 },
      { name: "neighbours", taskType: "algorithm", confidence: 0.9, weight: 0.4 },
      { name: "router_model", taskType: "math", confidence: 0.7, weight: 0.7 },
    ];
    const r = combineVotes(votes);
    expect(r.taskType).toBe("math");
    expect(r.confidence).toBeCloseTo((0.6 * 0.5 + 0.7 * 0.7) / 1.6, 6);
    expect(r.voters).toHaveLength(3);
  });

  it("lets one strong voter outweigh two weak ones", () => {
    const r = combineVotes([
      { name: "features", taskType: "general", confidence: 0.3, weight: 0.3 },
      { name: "neighbours", taskType: "general", confidence: 0.3, weight: 0.3 },
      { name: "router_model", taskType: "debugging", confidence: 0.95, weight: 0.9 },
    ]);
    expect(r.taskType).toBe("debugging");
  });

  it("falls back with zero confidence when nobody votes", () => {
    expect(combineVotes([])).toMatchObject({ taskType: "general", confidence: 0 });
    expect(combineVotes([], "explanation").taskType).toBe("explanation");
  });

  it("is more confident when voters agree", () => {
    const agree = combineVotes([
      { name: "features", taskType: "math", confidence: 0.8, weight: 0.6 },
      { name: "router_model", taskType: "math", confidence: 0.8, weight: 0.6 },
    ]);
    const split = combineVotes([
      { name: "features", taskType: "math", confidence: 0.8, weight: 0.6 },
      { name: "router_model", taskType: "general", confidence: 0.8, weight: 0.6 },
    ]);
    expect(agree.confidence).toBeGreaterThan(split.confidence);
  });
});

describe("updateVoterWeights", () => {
  it("raises the weight of a voter that agrees with outcomes and lowers one that does not", () => {
    let w = DEFAULT_VOTER_WEIGHTS;
    for (let i = 0; i < 30; i++)
      w = updateVoterWeights(w, {
        votes: [
          { name: "features", taskType: "math" },
          { name: "router_model", taskType: "general" },
        ],
        outcome: "math",
      });
    expect(voterWeight(w, "features")).toBeGreaterThan(voterWeight(DEFAULT_VOTER_WEIGHTS, "features"));
    expect(voterWeight(w, "router_model")).toBeLessThan(0.3);
    expect(voterWeight(w, "neighbours")).toBe(voterWeight(DEFAULT_VOTER_WEIGHTS, "neighbours"));
    expect(DEFAULT_VOTER_WEIGHTS.features).toEqual({ alpha: 8, beta: 2 }); // the defaults are not mutated
  });

  it("an unmeasured router model breaks near-ties but does not overrule a fairly sure classifier, until confirmed labels show it right", () => {
    const probabilities = { code_generation: 0.72, explanation: 0.08, debugging: 0.1, general: 0.1 };
    const answers = (w: typeof DEFAULT_VOTER_WEIGHTS, p = probabilities) =>
      combineVotes(votesFrom(w, { features: { taskType: "code_generation", confidence: p.code_generation, probabilities: p }, router_model: { taskType: "explanation", confidence: 0.9 } })).taskType;
    expect(answers(DEFAULT_VOTER_WEIGHTS)).toBe("code_generation");
    // Unsure (the router is asked below 0.75) but clearly ahead: a voter nobody has measured does not overturn it.
    expect(answers(DEFAULT_VOTER_WEIGHTS, { code_generation: 0.55, explanation: 0.15, debugging: 0.15, general: 0.15 })).toBe("code_generation");
    // A near-tie: the router's vote decides.
    expect(answers(DEFAULT_VOTER_WEIGHTS, { code_generation: 0.4, explanation: 0.35, debugging: 0.15, general: 0.1 })).toBe("explanation");
    // Twenty confirmed labels on which the router was right and the classifier wrong.
    let w = DEFAULT_VOTER_WEIGHTS;
    for (let i = 0; i < 20; i++) w = updateVoterWeights(w, { votes: [{ name: "features", taskType: "code_generation" }, { name: "router_model", taskType: "explanation" }], outcome: "explanation" });
    expect(answers(w)).toBe("explanation");
  });

  it("feeds learned weights into the votes", () => {
    const w = { ...DEFAULT_VOTER_WEIGHTS, router_model: { alpha: 1, beta: 9 } };
    const votes = votesFrom(w, { features: { taskType: "math", confidence: 0.5 }, router_model: { taskType: "general", confidence: 0.5 }, neighbours: null });
    expect(votes.map((v) => v.name)).toEqual(["features", "router_model"]);
    expect(combineVotes(votes).taskType).toBe("math");
  });
});

describe("classifyByNeighbours", () => {
  const ex = [
    { embedding: [1, 0, 0], taskType: "math" as const },
    { embedding: [0.9, 0.1, 0], taskType: "math" as const },
    { embedding: [0.8, 0.2, 0.1], taskType: "algorithm" as const },
    { embedding: [0, 1, 0], taskType: "general" as const },
    { embedding: [0, 0.9, 0.2], taskType: "general" as const },
  ];

  it("computes cosine similarity and refuses mixed dimensions", () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBeCloseTo(0);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
    expect(() => cosineSimilarity([1, 0], [1, 0, 0])).toThrow(/dimensions/);
  });

  it("votes by the nearest examples", () => {
    const r = classifyByNeighbours([1, 0.05, 0], ex, 3);
    expect(r?.taskType).toBe("math");
    expect(r?.neighbours).toBe(3);
    expect(r!.confidence).toBeGreaterThan(0.4);
    expect(r!.confidence).toBeLessThan(1);
    expect(classifyByNeighbours([0, 1, 0.1], ex, 3)?.taskType).toBe("general");
  });

  it("honours example weights", () => {
    const weighted = [
      { embedding: [1, 0], taskType: "math" as const, weight: 0.2 },
      { embedding: [1, 0.01], taskType: "algorithm" as const, weight: 3 },
    ];
    expect(classifyByNeighbours([1, 0], weighted)?.taskType).toBe("algorithm");
  });

  it("returns null with no examples or nothing similar enough", () => {
    expect(classifyByNeighbours([1, 0, 0], [])).toBeNull();
    expect(classifyByNeighbours([0, 0, 1], [{ embedding: [1, 0, 0], taskType: "math" }])).toBeNull();
  });
});

describe("a voter with a probability for every task type", () => {
  it("lends its second choice to another voter that agrees with it", () => {
    const classifier = { name: "features" as const, taskType: "debugging" as const, confidence: 0.5, weight: 0.8, probabilities: { debugging: 0.5, refactoring_optimization: 0.4, general: 0.1 } };
    const router = { name: "router_model" as const, taskType: "refactoring_optimization" as const, confidence: 0.5, weight: 0.7 };
    // Top choices only: debugging 0.4 vs refactoring 0.35. With the classifier's full distribution: 0.4 vs 0.32 + 0.35.
    expect(combineVotes([{ ...classifier, probabilities: undefined }, router]).taskType).toBe("debugging");
    const r = combineVotes([classifier, router]);
    expect(r.taskType).toBe("refactoring_optimization");
    expect(r.confidence).toBeCloseTo((0.8 * 0.4 + 0.7 * 0.5) / 1.5, 9);
  });
});
