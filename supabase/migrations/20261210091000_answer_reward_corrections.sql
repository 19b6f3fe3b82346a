-- An answer counts once in its model's routing evidence (and in its parameter arm's, below). When it finished, its automatic
-- reward was counted (lib/orchestrator/learn.ts); a verdict given later (a rating, thumbs, a
-- copy, a correction) replaces that reward instead of counting the answer a second time:
-- the evidence moves by the difference, success from failure, with the amount of evidence
-- unchanged. Counted twice, every answer with feedback added the automatic reward's
-- pseudo-outcome as well, which is the same whichever model answered: the posteriors drew
-- together and narrowed as if there were twice the outcomes (MMLU-Pro labels through the
-- API, npm run bench:routing:api, 8 seeds: learned − best single −1.3 points; the replay
-- given the same extra outcome per answer −1.5, without it −0.7, 24 seeds).

-- The evidence with `delta` moved from failures to successes (negative: the other way), in
-- the long and the recent memory alike; never below zero. Not an outcome: nothing decays.
create or replace function private.evidence_shift(e jsonb, delta float8, now_ms float8)
returns jsonb language sql immutable as $$
  select jsonb_build_object(
    'alpha', greatest(0, coalesce((e ->> 'alpha')::float8, 0) + delta),
    'beta', greatest(0, coalesce((e ->> 'beta')::float8, 0) - delta),
    'recent', jsonb_build_object(
      'alpha', greatest(0, coalesce((e -> 'recent' ->> 'alpha')::float8, 0) + delta),
      'beta', greatest(0, coalesce((e -> 'recent' ->> 'beta')::float8, 0) - delta)),
    'updatedAt', greatest(coalesce((e ->> 'updatedAt')::float8, 0), now_ms))
$$;

-- An answer's reward changed from `p_from` to `p_to` for (model, task type); a rating given
-- with it joins the satisfaction figures as private.record_model_outcomes adds one.
create or replace function private.correct_model_outcome(
  p_model text, p_task_type text, p_from float8, p_to float8, p_now_ms float8, p_rating float8)
returns jsonb language plpgsql set search_path = '' as $$
declare
  d jsonb;
begin
  insert into public.model_performance as mp (model_name, task_type, performance_data, last_updated)
  values (p_model, p_task_type, '{}'::jsonb, now())
  on conflict (model_name, task_type) do nothing;

  update public.model_performance mp set
    performance_data = mp.performance_data
      || jsonb_build_object(
        'evidence', private.evidence_shift(mp.performance_data -> 'evidence', p_to - p_from, p_now_ms),
        'ratingSum', coalesce((mp.performance_data ->> 'ratingSum')::float8, 0) + coalesce(p_rating, 0),
        'ratingN', coalesce((mp.performance_data ->> 'ratingN')::float8, 0) + case when p_rating is null then 0 else 1 end)
      || private.next_rev(mp.performance_data),
    last_updated = now()
  where mp.model_name = p_model and mp.task_type = p_task_type
  returning mp.performance_data into d;

  update public.model_performance mp set
    user_satisfaction = case when (d ->> 'ratingN')::float8 > 0 then (d ->> 'ratingSum')::float8 / (d ->> 'ratingN')::float8 end
  where mp.model_name = p_model and mp.task_type = p_task_type;
  return d;
end
$$;

revoke all on function private.evidence_shift(jsonb, float8, float8),
  private.correct_model_outcome(text, text, float8, float8, float8, float8)
  from public, anon, authenticated;

-- The parameter arm an answer was made with counts it once too: its quality at the finish
-- was the automatic reward; a verdict later moves the arm's evidence by the change of the
-- arm's reward (quality less the latency penalty, the answer's latency the same).
create or replace function private.correct_params_outcome(
  p_model text, p_task_type text, p_arm text, p_from float8, p_to float8, p_now_ms float8)
returns jsonb language plpgsql set search_path = '' as $$
declare
  d jsonb;
begin
  perform private.ensure_state_row('parameters', p_task_type, p_model);
  update public.learning_patterns lp set
    pattern_data = lp.pattern_data
      || jsonb_build_object('arms', coalesce(lp.pattern_data -> 'arms', '{}'::jsonb)
        || jsonb_build_object(p_arm, private.evidence_shift(lp.pattern_data -> 'arms' -> p_arm, p_to - p_from, p_now_ms)))
      || private.next_rev(lp.pattern_data),
    last_updated = now()
  where lp.pattern_type = 'parameters' and lp.task_type = p_task_type and lp.model_name = p_model
  returning lp.pattern_data into d;
  return d;
end
$$;

revoke all on function private.correct_params_outcome(text, text, text, float8, float8, float8) from public, anon, authenticated;
