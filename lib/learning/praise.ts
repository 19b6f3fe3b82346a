/**
 * Whether a feedback comment is praise (pure): thanks or approval that asks for no change,
 * "great, works now, thanks!". Praise says the answer was good; it is no complaint, so it
 * never joins the groups of feedback that become proposals, however many users give it
 * (else "awesome, thank you" would be proposed as an instruction to the models). Read by the
 * two classifiers trained for these texts: the follow-up reader is sure it is thanks, and the
 * theme classifier finds none of the known complaints in it. What follows a "but" (or
 * "though", "however"…) is what the user wants: "thanks, but it has no tests" is read by its
 * second half, a complaint, though the classifiers see mostly thanks in the whole. A
 * complaint of a new kind worded as thanks alone can be missed; it is rare (1 of 559 `other`
 * comments of the theme classifier's training file) and costs one comment.
 */
import { classifyFollowUp } from "./follow-up-classifier";
import { classifyTheme } from "./theme-classifier";
import { OTHER_THEME } from "./themes";
import { verdictPart } from "./verdict-part";

/** How sure the follow-up reader must be that a comment is thanks. */
export const PRAISE_MIN = 0.8;

export function isPraise(text: string): boolean {
  const comment = verdictPart(text);
  if (!comment.trim()) return false;
  if (classifyFollowUp(comment).thanks < PRAISE_MIN) return false;
  const themes = Object.entries(classifyTheme(comment));
  const [top] = themes.sort((a, b) => b[1] - a[1])[0];
  return top === OTHER_THEME;
}
