-- A proposal that appends an instruction was fingerprinted by the first 60 characters of the
-- instruction's words, so two instructions that opened alike counted as one proposal: the
-- second was never proposed while the first was open, or after it was declined. A long
-- instruction's fingerprint now also carries a digest of its whole words
-- (lib/learning/proposal-fingerprint.ts, instructionSlug). Proposals recorded before get the
-- same form here, so one declined before is still recognised when it comes back.
-- Idempotent: a fingerprint already rewritten no longer ends with the words' first 60 characters.
update public.adaptations a
set fingerprint = a.fingerprint || '~' || left(encode(sha256(convert_to(w.slug, 'UTF8')), 'hex'), 12)
from (
  select id, regexp_replace(lower(proposed_change ->> 'instruction'), '[^a-z0-9_]+', '-', 'g') as slug
  from public.adaptations
  where proposed_change ->> 'type' = 'append_instruction'
) w
where w.id = a.id
  and length(w.slug) > 60
  and a.fingerprint like 'system_prompt:%'
  and right(a.fingerprint, 60) = left(w.slug, 60);
