-- Outcomes of one (model, task type) recorded together (editors' completions come in
-- batches): one row lock and three statements per batch, whatever its size. The rewards are
-- folded into the evidence in order, each decaying what came before (change detection
-- included), as one call per outcome would; the counts, latencies and ratings are added once.
-- private.record_model_outcome (one outcome) becomes this with a batch of one: one
-- definition of how an outcome updates a model's row.
create or replace function private.record_model_outcomes(
  p_model text, p_task_type text, p_rewards float8[], p_discount float8, p_now_ms float8,
  p_outcomes integer, p_successes integer, p_latency_sum float8, p_latency_n integer,
  p_rating_sum float8, p_rating_n integer)
returns jsonb language plpgsql set search_path = '' as $$
declare
  d jsonb;
  e jsonb;
  r float8;
begin
  insert into public.model_performance as mp (model_name, task_type, performance_data, last_updated)
  values (p_model, p_task_type, '{}'::jsonb, now())
  on conflict (model_name, task_type) do nothing;

  select mp.performance_data -> 'evidence' into e
  from public.model_performance mp
  where mp.model_name = p_model and mp.task_type = p_task_type
  for update;
  foreach r in array p_rewards loop
    e := private.evidence_add(e, r, p_discount, p_now_ms);
  end loop;

  update public.model_performance mp set
    performance_data = mp.performance_data
      || jsonb_build_object(
        'evidence', e,
        'outcomes', coalesce((mp.performance_data ->> 'outcomes')::float8, 0) + p_outcomes,
        'successes', coalesce((mp.performance_data ->> 'successes')::float8, 0) + p_successes,
        'latencySum', coalesce((mp.performance_data ->> 'latencySum')::float8, 0) + p_latency_sum,
        'latencyN', coalesce((mp.performance_data ->> 'latencyN')::float8, 0) + p_latency_n,
        'ratingSum', coalesce((mp.performance_data ->> 'ratingSum')::float8, 0) + p_rating_sum,
        'ratingN', coalesce((mp.performance_data ->> 'ratingN')::float8, 0) + p_rating_n)
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

create or replace function private.record_model_outcome(
  p_model text, p_task_type text, p_reward float8, p_discount float8, p_now_ms float8,
  p_counted boolean, p_success boolean, p_latency_ms float8, p_rating float8)
returns jsonb language sql set search_path = '' as $$
  select private.record_model_outcomes(p_model, p_task_type, array[p_reward], p_discount, p_now_ms,
    case when p_counted then 1 else 0 end, case when p_counted and p_success then 1 else 0 end,
    coalesce(p_latency_ms, 0), case when p_latency_ms is null then 0 else 1 end,
    coalesce(p_rating, 0), case when p_rating is null then 0 else 1 end)
$$;

revoke all on function private.record_model_outcomes(text, text, float8[], float8, float8, integer, integer, float8, integer, float8, integer),
  private.record_model_outcome(text, text, float8, float8, float8, boolean, boolean, float8, float8)
  from public, anon, authenticated;
