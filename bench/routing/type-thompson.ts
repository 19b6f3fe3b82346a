/**
 * A reference learner for the replay benchmark: what an adaptive router that does Thompson
 * sampling per request type (LiteLLM's, for one) reaches when it is handed each item's true
 * category as the request type, so it never misclassifies: one uniform Beta(1, 1) per
 * (category, model), no prior, no sharing across categories, no context. It learns from its
 * own choices' draws. The learned router has to find the request type itself; matching this
 * reference is matching a bandit that knows it.
 */
import { sampleBeta, seededRng, type Rng } from "../../lib/learning/random";

type Arm = { alpha: number; beta: number };
const UNIFORM: Arm = { alpha: 1, beta: 1 };

export class TypeThompson {
  private readonly arms = new Map<string, Arm>();
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = seededRng(seed * 613 + 11);
  }

  choose(category: string, available: readonly string[]): string {
    let best = available[0];
    let top = -1;
    for (const m of available) {
      const a = this.arm(category, m);
      const x = sampleBeta(this.rng, a.alpha, a.beta);
      if (x > top) (top = x), (best = m);
    }
    return best;
  }

  learn(category: string, model: string, reward: number): void {
    const a = this.arm(category, model);
    this.arms.set(key(category, model), { alpha: a.alpha + reward, beta: a.beta + 1 - reward });
  }

  private arm(category: string, model: string): Arm {
    return this.arms.get(key(category, model)) ?? UNIFORM;
  }
}

const key = (category: string, model: string) => `${category}\u0000${model}`;
