-- Every signal on an answer is part of its one reward (lib/domain/reward.ts), so an answer
-- counts once in its model's evidence whatever is said about it. Quick tags, preferring one
-- of several answers to a request, naming a better model, asking again (regenerating) and
-- what the next message said (the implicit signal) each used to add an outcome of their own
-- on top of the answer's reward: an answer with a tag and a follow-up counted three times,
-- the posteriors narrowing as if there were three answers. Now each changes the reward, and
-- the evidence moves from the reward counted before to the new one (lib/learning/answer-reward.ts).
--
-- Order: a rating; thumbs; the user's other verdicts (a great tag or being preferred: 1;
-- another model named better or another answer preferred: 0; a wrong or incomplete tag: 0.2;
-- good and poor together: 0.5); implicit signals (the worst of corrected 0.1, regenerated
-- 0.2, the next message said it failed 0.2, rephrased 0.3, left after a broken answer 0.3,
-- never above what the automatic checks found: a poor signal agrees with a broken answer, it
-- does not lift it; with a copy or thanks as well: 0.5; a copy alone 0.85, 0.6 when cut off
-- or empty; thanks 0.85); the automatic checks.

-- Pure expressions without a FROM, so the planner inlines them into the rollup and neighbour
-- queries as it did the reward before.

-- The user's verdicts short of a rating or thumbs: a good one (a great tag, preferred)?
create or replace function private.verdict_good(feedback jsonb)
returns boolean
language sql immutable
as $$
  select feedback -> 'preferred' = 'true'::jsonb
    or coalesce(jsonb_typeof(feedback -> 'tags') = 'array' and (feedback -> 'tags') ? 'great', false)
$$;

-- … and the worst poor one: another model named better or another answer preferred 0, a
-- wrong or incomplete tag 0.2; 1 when there is none.
create or replace function private.verdict_poor(feedback jsonb)
returns double precision
language sql immutable
as $$
  select case
    when (jsonb_typeof(feedback -> 'betterModel') = 'string' and feedback ->> 'betterModel' <> '')
      or feedback -> 'preferred' = 'false'::jsonb then 0::double precision
    when jsonb_typeof(feedback -> 'tags') = 'array' and (feedback -> 'tags') ?| array['wrong', 'incomplete'] then 0.2
    else 1
  end
$$;

-- The verdicts' reward: good and poor together mixed; null when there is none.
create or replace function private.verdict_reward(feedback jsonb)
returns double precision
language sql immutable
as $$
  select case
    when private.verdict_good(feedback) then case when private.verdict_poor(feedback) < 1 then 0.5 else 1 end
    else nullif(private.verdict_poor(feedback), 1)
  end
$$;

-- Implicit signals: a good one (copied, thanked)?
create or replace function private.implicit_good(feedback jsonb)
returns boolean
language sql immutable
as $$
  select feedback -> 'copied' = 'true'::jsonb or coalesce(feedback -> 'implicit' ->> 'signal' = 'thanks', false)
$$;

-- What the automatic checks found (0.7 for a clean answer, and when nothing was checked).
create or replace function private.automatic_reward(feedback jsonb)
returns double precision
language sql immutable
as $$
  select case
    when feedback -> 'auto' ->> 'empty' = 'true' then 0::double precision
    when feedback -> 'auto' ->> 'refused' = 'true' then 0.05
    when feedback -> 'auto' ->> 'truncated' = 'true' then 0.2
    when feedback -> 'auto' ->> 'codeExpected' = 'true' and feedback -> 'auto' ->> 'hasCodeBlock' = 'false' then 0.3
    when feedback -> 'auto' ->> 'mathExpected' = 'true' and feedback -> 'auto' ->> 'mathAnswerPresent' = 'false' then 0.35
    else 0.7
  end
$$;

-- … and the worst poor one: corrected 0.1, regenerated 0.2, the next message said it failed
-- 0.2, rephrased 0.3, left after a broken answer 0.3; 1 when there is none.
create or replace function private.implicit_poor(feedback jsonb)
returns double precision
language sql immutable
as $$
  select least(
    case when coalesce(feedback ->> 'correction', '') <> '' then 0.1 else 1 end,
    case when feedback -> 'regenerated' = 'true'::jsonb then 0.2 else 1 end,
    case feedback -> 'implicit' ->> 'signal' when 'failed' then 0.2 when 'rephrase' then 0.3 when 'abandoned' then 0.3 else 1 end
  )::double precision
$$;

-- The implicit signals' reward: poor and good together mixed; a poor one never above what
-- the automatic checks found; null when there is none.
create or replace function private.implicit_reward(feedback jsonb)
returns double precision
language sql immutable
as $$
  select case
    when private.implicit_poor(feedback) < 1 then
      case when private.implicit_good(feedback) then 0.5 else least(private.implicit_poor(feedback), private.automatic_reward(feedback)) end
    when feedback -> 'copied' = 'true'::jsonb then
      case when feedback -> 'auto' ->> 'empty' = 'true' or feedback -> 'auto' ->> 'truncated' = 'true' then 0.6 else 0.85 end
    when private.implicit_good(feedback) then 0.85
  end
$$;

create or replace function private.interaction_reward(status text, rating integer, feedback jsonb)
returns double precision
language sql immutable
as $$
  select case
    when status = 'failed' then 0::double precision
    when status is distinct from 'completed' then null
    when rating is not null then (rating - 1) / 4.0
    when feedback ->> 'thumbs' = 'up' then 1
    when feedback ->> 'thumbs' = 'down' then 0
    else coalesce(private.verdict_reward(feedback), private.implicit_reward(feedback),
      case when jsonb_typeof(feedback -> 'auto') = 'object' then private.automatic_reward(feedback) end)
  end
$$;

-- The dashboards' sums were kept with the old reward: recomputed with this one.
select private.rebuild_analytics_rollups();
