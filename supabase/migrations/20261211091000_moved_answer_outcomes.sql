-- An answer whose user says it was another task type than it was routed as moves its outcome
-- there: counted when it finished under the task type it was routed as, it is taken out of
-- that arm's evidence and counted under the stated one (lib/learning/answer-reward.ts), where
-- it used to stay in both: the wrong task type kept a success or failure that was not its own.

-- The evidence without one outcome of reward `r`: r less successes and 1 − r less failures,
-- in the long and the recent memory alike, never below zero (the outcome may have decayed
-- since: what is left of it goes, and at most that). Not an outcome: nothing decays.
create or replace function private.evidence_drop(e jsonb, r float8, now_ms float8)
returns jsonb language sql immutable as $$
  select jsonb_build_object(
    'alpha', greatest(0, coalesce((e ->> 'alpha')::float8, 0) - r),
    'beta', greatest(0, coalesce((e ->> 'beta')::float8, 0) - (1 - r)),
    'recent', jsonb_build_object(
      'alpha', greatest(0, coalesce((e -> 'recent' ->> 'alpha')::float8, 0) - r),
      'beta', greatest(0, coalesce((e -> 'recent' ->> 'beta')::float8, 0) - (1 - r))),
    'updatedAt', greatest(coalesce((e ->> 'updatedAt')::float8, 0), now_ms))
$$;

-- Takes one answer's outcome (reward `p_reward`) out of (model, task type)'s evidence.
create or replace function private.drop_model_outcome(p_model text, p_task_type text, p_reward float8, p_now_ms float8)
returns jsonb language plpgsql set search_path = '' as $$
declare
  d jsonb;
begin
  insert into public.model_performance as mp (model_name, task_type, performance_data, last_updated)
  values (p_model, p_task_type, '{}'::jsonb, now())
  on conflict (model_name, task_type) do nothing;

  update public.model_performance mp set
    performance_data = mp.performance_data
      || jsonb_build_object('evidence', private.evidence_drop(mp.performance_data -> 'evidence', p_reward, p_now_ms))
      || private.next_rev(mp.performance_data),
    last_updated = now()
  where mp.model_name = p_model and mp.task_type = p_task_type
  returning mp.performance_data into d;
  return d;
end
$$;

revoke all on function private.evidence_drop(jsonb, float8, float8),
  private.drop_model_outcome(text, text, float8, float8)
  from public, anon, authenticated;
