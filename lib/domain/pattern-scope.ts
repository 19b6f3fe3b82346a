/**
 * Whom a learned routing pattern applies to. A pattern first serves the user who taught it;
 * it serves everyone once enough different users taught it the same thing, or an operator
 * approved it, so one user's "this model would have been better" never steers everyone.
 */
export const USERS_TO_SHARE_A_PATTERN = 2;

export interface PatternScopeData {
  /** the users whose feedback created or strengthened it (absent on patterns older than scoping: shared) */
  teachers?: string[];
  /** an operator made it apply to everyone */
  approved?: boolean;
}

export function patternShared(p: PatternScopeData): boolean {
  return p.teachers === undefined || p.approved === true || new Set(p.teachers).size >= USERS_TO_SHARE_A_PATTERN;
}

export function patternAppliesTo(p: PatternScopeData, userId: string): boolean {
  return patternShared(p) || (p.teachers ?? []).includes(userId);
}
