/**
 * A better model named in a comment (pure): "the maths specialist would have been better",
 * "should've asked mathstral", "use the architect for this kind of thing". The feedback form
 * and the API have a field for it, but people write it where they write: a comment saying so
 * is a routing verdict (the request should have gone elsewhere), not an instruction for the
 * models, so the feedback path reads it as the better model and the Learning Director leaves
 * that clause out of the complaints it groups. Only a name the roster knows counts: a role as
 * people name it (lib/domain/roles.ts roleNamed) or a routed model's tag, its name without the
 * tag, or that name's first part when no other routed model shares it ("deepseek"). "A table
 * would have been better" names no model and stays a complaint.
 */
import { roleNamed, sameModel, type Roster } from "@/lib/domain";

const NAME = String.raw`(?<name>[\p{L}\p{N}][\p{L}\p{N}._:/' -]{0,60}?)`;
const END = String.raw`(?=\s*(?:[.,;!?)]|$|\b(?:instead|next time|for (?:this|these|that|such|requests|questions)|here|on this|in future|in the future)\b))`;

/** What may follow such a clause and belongs to it: "for this kind of request", "here", "next time". */
const KIND = String.raw`(?:\s+(?:kind|sort|type)s?\s+of\s+(?:thing|request|question|task|problem)s?)?`;
const TAIL = String.raw`(?:\s+(?:(?:for|at|on)\s+(?:this|these|that|those|such)${KIND}|here|instead|next\s+time|in\s+(?:the\s+)?future))*`;

/** The phrasings that name what should have answered; `name` is the words that may name it. */
const PHRASINGS: readonly RegExp[] = [
  new RegExp(String.raw`${NAME}\s+(?:would|could|might)(?:\s+have|'ve|\s+'ve)\s+(?:been|done|answered|handled)(?:\s+(?:it|this|that))?\s+(?:a\s+)?(?:(?:a lot|much|way|far)\s+)?better(?:\s+job)?${TAIL}`, "iu"),
  new RegExp(String.raw`${NAME}\s+(?:is|was|'s)\s+(?:(?:much|way|far)\s+)?better\s+(?:at|for)\s+(?:this|these|that|those|such)\b${KIND}${TAIL}`, "iu"),
  new RegExp(String.raw`should(?:\s+have|'ve)\s+(?:used|asked|gone\s+to|picked|chosen|been\s+(?:answered|handled|sent|routed)\s+(?:by|to))\s+${NAME}${END}${TAIL}`, "iu"),
  new RegExp(String.raw`\b(?:use|ask|try|pick|route\s+(?:it|this|these)\s+to|send\s+(?:it|this|these)\s+to)\s+${NAME}(?=\s+(?:instead|next time|for\s+(?:this|these|that|such))\b)${TAIL}`, "iu"),
  new RegExp(String.raw`better\s+(?:answered|handled|done)\s+by\s+${NAME}${END}${TAIL}`, "iu"),
];

/** Words before a role that make it a person ("my senior dev", "a real architect"), not the roster's model. */
const A_PERSON = /^(?:my|our|your|their|his|her|any|every|some|a|an|real|human|actual|proper|good)$/i;

/** The routed model that `words` name, trying their shorter and shorter tails ("I think the maths specialist" → "the maths specialist"). */
function modelNamed(words: string, roster: Roster): string | null {
  const tokens = words.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    if (i > 0 && A_PERSON.test(tokens[i - 1])) return null;
    const tail = tokens.slice(i).join(" ").replace(/['’]s$/i, "");
    const role = roleNamed(tail);
    if (role) return roster.roles[role];
    const model = routedModelNamed(tail.replace(/^the\s+/i, ""), roster);
    if (model) return model;
  }
  return null;
}

function routedModelNamed(name: string, roster: Roster): string | null {
  const n = name.toLowerCase();
  if (!n) return null;
  const models = roster.routed.map((r) => r.model);
  const exact = models.find((m) => sameModel(m, n) || m.toLowerCase().split(":")[0] === n);
  if (exact) return exact;
  const byFirstPart = models.filter((m) => m.toLowerCase().split(":")[0].split(/[-_.]/)[0] === n);
  return byFirstPart.length === 1 ? byFirstPart[0] : null;
}

export interface NamedPreference {
  /** the routed model the comment says should have answered */
  model: string;
  /** the comment without the clause that says so */
  rest: string;
}

/** The better model a comment names, with the comment's other words; null when it names none the roster knows. */
export function preferenceIn(comment: string, roster: Roster): NamedPreference | null {
  for (const re of PHRASINGS) {
    const m = re.exec(comment);
    if (!m?.groups?.name) continue;
    const model = modelNamed(m.groups.name, roster);
    if (!model) continue;
    const rest = `${comment.slice(0, m.index)} ${comment.slice(m.index + m[0].length)}`.replace(/\s+/g, " ").replace(/^[\s.,;:!?-]+|[\s,;:-]+$/g, "").trim();
    return { model, rest };
  }
  return null;
}
