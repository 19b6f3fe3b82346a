-- Learning updates as atomic SQL: each outcome is applied inside one UPDATE of the row it
-- changes (never read in the app, changed and written back), so several app instances on one
-- database lose no update. Each row's data carries `rev`, a counter every update increments,
-- so an instance's cache keeps the newest copy whatever order copies arrive in (the row
-- returned to the writer, or the notification sent to the other instances).
-- The server's own path calls these (the table owner); no API role may.

-- Discounted Beta evidence (lib/learning/evidence.ts addEvidence): decay, then add reward r
-- to alpha and 1 − r to beta.
create or replace function private.evidence_add(e jsonb, reward float8, discount float8, now_ms float8)
returns jsonb language sql immutable as $$
  select jsonb_build_object(
    'alpha', coalesce((e ->> 'alpha')::float8, 0) * discount + reward,
    'beta', coalesce((e ->> 'beta')::float8, 0) * discount + (1 - reward),
    'updatedAt', greatest(coalesce((e ->> 'updatedAt')::float8, 0), now_ms))
$$;

-- A map of maps of numbers, each updated affinely: new[k][f] = old[k][f] · d + delta[k][f],
-- where a missing old value is base[k][f] (or 0). Counts (d = 1) and decayed weights alike.
create or replace function private.jsonb_affine(old jsonb, base jsonb, d float8, delta jsonb)
returns jsonb language sql immutable as $$
  select coalesce(old, '{}'::jsonb) || coalesce((
    select jsonb_object_agg(k.key, coalesce(old -> k.key, '{}'::jsonb) || (
      select jsonb_object_agg(f.key,
        coalesce((old -> k.key ->> f.key)::float8, (base -> k.key ->> f.key)::float8, 0) * d + (f.value #>> '{}')::float8)
      from jsonb_each(k.value) f))
    from jsonb_each(coalesce(delta, '{}'::jsonb)) k), '{}'::jsonb)
$$;

create or replace function private.next_rev(data jsonb)
returns jsonb language sql immutable as $$
  select jsonb_build_object('rev', coalesce((data ->> 'rev')::bigint, 0) + 1)
$$;

-- One outcome of (model, task type): its routing evidence and running performance counts.
create or replace function private.record_model_outcome(
  p_model text, p_task_type text, p_reward float8, p_discount float8, p_now_ms float8,
  p_counted boolean, p_success boolean, p_latency_ms float8, p_rating float8)
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
        'evidence', private.evidence_add(mp.performance_data -> 'evidence', p_reward, p_discount, p_now_ms),
        'outcomes', coalesce((mp.performance_data ->> 'outcomes')::float8, 0) + case when p_counted then 1 else 0 end,
        'successes', coalesce((mp.performance_data ->> 'successes')::float8, 0) + case when p_counted and p_success then 1 else 0 end,
        'latencySum', coalesce((mp.performance_data ->> 'latencySum')::float8, 0) + coalesce(p_latency_ms, 0),
        'latencyN', coalesce((mp.performance_data ->> 'latencyN')::float8, 0) + case when p_latency_ms is null then 0 else 1 end,
        'ratingSum', coalesce((mp.performance_data ->> 'ratingSum')::float8, 0) + coalesce(p_rating, 0),
        'ratingN', coalesce((mp.performance_data ->> 'ratingN')::float8, 0) + case when p_rating is null then 0 else 1 end)
      || private.next_rev(mp.performance_data),
    last_updated = now()
  where mp.model_name = p_model and mp.task_type = p_task_type
  returning mp.performance_data into d;

  update public.model_performance mp set
    success_rate = case when (d ->> 'outcomes')::float8 > 0 then (d ->> 'successes')::float8 / (d ->> 'outcomes')::float8 end,
    avg_response_time = case when (d ->> 'latencyN')::float8 > 0 then (d ->> 'latencySum')::float8 / (d ->> 'latencyN')::float8 end,
    user_satisfaction = case when (d ->> 'ratingN')::float8 > 0 then (d ->> 'ratingSum')::float8 / (d ->> 'ratingN')::float8 end
  where mp.model_name = p_model and mp.task_type = p_task_type;
  return d;
end
$$;

-- The state rows of learning_patterns (parameters, fallback, classification): one per key.
create or replace function private.ensure_state_row(p_kind text, p_task_type text, p_model text)
returns void language sql set search_path = '' as $$
  insert into public.learning_patterns (pattern_type, task_type, model_name, pattern_data, last_updated)
  values (p_kind, p_task_type, p_model, '{}'::jsonb, now())
  on conflict (pattern_type, coalesce(task_type, ''), coalesce(model_name, ''))
    where pattern_type in ('parameters', 'fallback', 'classification')
  do nothing
$$;

-- One outcome of a parameter arm for (model, task type).
create or replace function private.record_params_outcome(
  p_model text, p_task_type text, p_arm text, p_reward float8, p_discount float8, p_now_ms float8)
returns jsonb language plpgsql set search_path = '' as $$
declare
  d jsonb;
begin
  perform private.ensure_state_row('parameters', p_task_type, p_model);
  update public.learning_patterns lp set
    pattern_data = lp.pattern_data
      || jsonb_build_object('arms', coalesce(lp.pattern_data -> 'arms', '{}'::jsonb)
        || jsonb_build_object(p_arm, private.evidence_add(lp.pattern_data -> 'arms' -> p_arm, p_reward, p_discount, p_now_ms)))
      || private.next_rev(lp.pattern_data),
    last_updated = now()
  where lp.pattern_type = 'parameters' and lp.task_type = p_task_type and lp.model_name = p_model
  returning lp.pattern_data into d;
  return d;
end
$$;

-- Rescue counts added for a task type's fallback trail: delta = {model: {rescueSuccess, rescueTrials}}.
create or replace function private.record_fallback_rescues(p_task_type text, p_delta jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare
  d jsonb;
begin
  perform private.ensure_state_row('fallback', p_task_type, null);
  update public.learning_patterns lp set
    pattern_data = lp.pattern_data
      || jsonb_build_object('rescues', private.jsonb_affine(lp.pattern_data -> 'rescues', null, 1, p_delta))
      || private.next_rev(lp.pattern_data),
    last_updated = now()
  where lp.pattern_type = 'fallback' and lp.task_type = p_task_type and lp.model_name is null
  returning lp.pattern_data into d;
  update public.learning_patterns lp set
    success_count = t.s, failure_count = t.n - t.s, confidence_score = case when t.n > 0 then t.s / t.n else 0 end
  from (select coalesce(sum((v ->> 'rescueSuccess')::float8), 0) as s, coalesce(sum((v ->> 'rescueTrials')::float8), 0) as n
          from jsonb_each(d -> 'rescues') as r(k, v)) t
  where lp.pattern_type = 'fallback' and lp.task_type = p_task_type and lp.model_name is null;
  return d;
end
$$;

-- The classifier's voter weights: weight' = prior + d · (weight − prior) + agreed, i.e.
-- weight · d + ((1 − d) · prior + agreed): p_delta carries the second term, p_prior the prior.
create or replace function private.record_voter_outcome(p_prior jsonb, p_discount float8, p_delta jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare
  d jsonb;
begin
  perform private.ensure_state_row('classification', null, null);
  update public.learning_patterns lp set
    pattern_data = lp.pattern_data
      || jsonb_build_object('weights', private.jsonb_affine(lp.pattern_data -> 'weights', p_prior, p_discount, p_delta))
      || private.next_rev(lp.pattern_data),
    last_updated = now()
  where lp.pattern_type = 'classification' and lp.task_type is null and lp.model_name is null
  returning lp.pattern_data into d;
  return d;
end
$$;

revoke all on function private.evidence_add(jsonb, float8, float8, float8),
  private.jsonb_affine(jsonb, jsonb, float8, jsonb), private.next_rev(jsonb),
  private.record_model_outcome(text, text, float8, float8, float8, boolean, boolean, float8, float8),
  private.ensure_state_row(text, text, text),
  private.record_params_outcome(text, text, text, float8, float8, float8),
  private.record_fallback_rescues(text, jsonb),
  private.record_voter_outcome(jsonb, float8, jsonb)
  from public, anon, authenticated;
