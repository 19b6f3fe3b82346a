-- The parameter arms' outcomes of one (model, task type) recorded together, as the answers'
-- outcomes are written in batches: one row lock and one update per batch, whatever its
-- size. Each reward is folded into its arm's evidence in order, at its own time (change
-- detection included), as one call per outcome would fold it.
-- private.record_params_outcome (one outcome) becomes this with a batch of one: one
-- definition of how an outcome updates an arm.
create or replace function private.record_params_outcomes(
  p_model text, p_task_type text, p_arms text[], p_rewards float8[], p_discount float8, p_now_ms float8[])
returns jsonb language plpgsql set search_path = '' as $$
declare
  arms jsonb;
  d jsonb;
  i integer;
begin
  perform private.ensure_state_row('parameters', p_task_type, p_model);
  select coalesce(lp.pattern_data -> 'arms', '{}'::jsonb) into arms
  from public.learning_patterns lp
  where lp.pattern_type = 'parameters' and lp.task_type = p_task_type and lp.model_name = p_model
  for update;
  for i in 1 .. coalesce(array_length(p_arms, 1), 0) loop
    arms := arms || jsonb_build_object(p_arms[i], private.evidence_add(arms -> p_arms[i], p_rewards[i], p_discount, p_now_ms[i]));
  end loop;
  update public.learning_patterns lp set
    pattern_data = lp.pattern_data || jsonb_build_object('arms', arms) || private.next_rev(lp.pattern_data),
    last_updated = now()
  where lp.pattern_type = 'parameters' and lp.task_type = p_task_type and lp.model_name = p_model
  returning lp.pattern_data into d;
  return d;
end
$$;

create or replace function private.record_params_outcome(
  p_model text, p_task_type text, p_arm text, p_reward float8, p_discount float8, p_now_ms float8)
returns jsonb language sql set search_path = '' as $$
  select private.record_params_outcomes(p_model, p_task_type, array[p_arm], array[p_reward], p_discount, array[p_now_ms])
$$;

revoke all on function private.record_params_outcomes(text, text, text[], float8[], float8, float8[]),
  private.record_params_outcome(text, text, text, float8, float8, float8)
  from public, anon, authenticated;
