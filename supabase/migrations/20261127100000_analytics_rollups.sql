-- Analytics rollups: the dashboard reads these, never the interactions themselves, so it
-- stays fast at millions of interactions. Triggers on interactions keep them current as data
-- arrives: every change subtracts the row's old contribution and adds its new one, so
-- updates (finishing, rating, feedback) never double count. private.rebuild_analytics_rollups()
-- recomputes them from scratch in one set-based pass (after a bulk load with triggers off).
--
-- Each rollup exists at two grains, 'hour' (24 h and 7 d views) and 'day' (30 d and all),
-- bucketed in UTC. interaction_rollups and param_arm_rollups also hold task_type '*' rows,
-- every task type together, so the unfiltered charts read an eighth of the rows. Operators
-- read them; nobody writes them through the API: the trigger functions run as their owner
-- (security definer).

-- The pure helpers below call only pg_catalog built-ins (always searched first) and carry no
-- `set search_path`: a SET clause stops Postgres from inlining a SQL function, and inlining
-- is what keeps the set-based rebuild over a million rows fast. They run with the caller's
-- rights (not security definer).

-- The reward of one interaction in [0, 1], as lib/learning/reward.ts computes it: explicit
-- rating, then thumbs, then implicit signals (correction, copy), then the automatic checks.
-- null when the outcome is unknown (still running, cancelled, no signal at all).
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
    when coalesce(feedback ->> 'correction', '') <> '' and feedback -> 'copied' = 'true'::jsonb then 0.5
    when coalesce(feedback ->> 'correction', '') <> '' then 0.1
    when feedback -> 'copied' = 'true'::jsonb then
      case when feedback -> 'auto' ->> 'empty' = 'true' or feedback -> 'auto' ->> 'truncated' = 'true' then 0.6 else 0.85 end
    when coalesce(jsonb_typeof(feedback -> 'auto'), '') <> 'object' then null
    when feedback -> 'auto' ->> 'empty' = 'true' then 0
    when feedback -> 'auto' ->> 'refused' = 'true' then 0.05
    when feedback -> 'auto' ->> 'truncated' = 'true' then 0.2
    when feedback -> 'auto' ->> 'codeExpected' = 'true' and feedback -> 'auto' ->> 'hasCodeBlock' = 'false' then 0.3
    when feedback -> 'auto' ->> 'mathExpected' = 'true' and feedback -> 'auto' ->> 'mathAnswerPresent' = 'false' then 0.35
    else 0.7
  end
$$;

-- Latency histogram: 48 fixed log-spaced buckets, three per doubling from 10 ms (bucket k,
-- 1-based, holds [10·2^((k-1)/3), 10·2^(k/3)) ms; the first also holds faster, the last
-- slower). lib/analytics/latency.ts reads percentiles off it with the same edges.
create or replace function private.latency_bucket(ms double precision)
returns integer
language sql immutable
as $$
  select case when ms is null then null
    else least(48, greatest(1, floor(3 * ln(greatest(ms, 10) / 10) / ln(2))::integer + 1)) end
$$;

create or replace function private.hist_add(h integer[], k integer, d integer)
returns integer[]
language sql immutable
as $$
  select case when k is null or d = 0 then h else h[1:k - 1] || (h[k] + d) || h[k + 1:48] end
$$;

-- The model an interaction counts for: the one that answered, else the one first chosen.
create or replace function private.interaction_model(model_used text, routing_decision jsonb)
returns text
language sql immutable
as $$
  select coalesce(nullif(model_used, ''), nullif(routing_decision ->> 'model', ''), '')
$$;

-- The attempts of an interaction's fallback trail, as a jsonb array (never null).
create or replace function private.interaction_attempts(routing_decision jsonb)
returns jsonb
language sql immutable
as $$
  select case when jsonb_typeof(routing_decision -> 'attempts') = 'array' then routing_decision -> 'attempts' else '[]'::jsonb end
$$;

-- The parameter arm an answer ran with, e.g. 't0.2 p1024 c4096'; null without parameters.
create or replace function private.interaction_arm(routing_decision jsonb)
returns text
language sql immutable
as $$
  select case when routing_decision -> 'params' ->> 'temperature' is null then null
    else 't' || (routing_decision -> 'params' ->> 'temperature')
      || ' p' || coalesce(routing_decision -> 'params' ->> 'num_predict', '?')
      || ' c' || coalesce(routing_decision -> 'params' ->> 'num_ctx', '?') end
$$;

create table public.interaction_rollups (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  model text not null,          -- '' when no model was chosen
  task_type text not null,      -- '' when unclassified, '*' for all task types together
  interactions integer not null default 0,
  completed integer not null default 0,
  failed integer not null default 0,
  cancelled integer not null default 0,
  judged integer not null default 0,       -- finished with a known reward
  successes integer not null default 0,    -- reward ≥ 0.5
  reward_sum double precision not null default 0,
  rated integer not null default 0,
  rating_sum integer not null default 0,
  thumbs_up integer not null default 0,
  thumbs_down integer not null default 0,
  fallbacks integer not null default 0,    -- finished after at least one failed attempt
  explored integer not null default 0,
  regenerations integer not null default 0,
  latency_n integer not null default 0,    -- completed answers with a response time
  latency_sum double precision not null default 0,
  latency_hist integer[] not null default array_fill(0, array[48]),
  primary key (grain, bucket, model, task_type)
);
alter table public.interaction_rollups enable row level security;
create index interaction_rollups_model_idx on public.interaction_rollups (model);

create policy "Operators can view interaction rollups"
  on public.interaction_rollups for select to authenticated using ((select private.is_operator()));
-- No insert, update or delete policy: only the triggers and the rebuild write them.

-- Fallback paths: which model failed, and which model then answered ('' when none did).
create table public.fallback_rollups (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  task_type text not null,
  failed_model text not null,
  rescue_model text not null,
  count integer not null default 0,
  primary key (grain, bucket, task_type, failed_model, rescue_model)
);
alter table public.fallback_rollups enable row level security;

create policy "Operators can view fallback rollups"
  on public.fallback_rollups for select to authenticated using ((select private.is_operator()));

-- Parameter arms per model and task type: how often each ran and how it did.
create table public.param_arm_rollups (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  model text not null,
  task_type text not null,      -- '*' for all task types together
  arm text not null,
  interactions integer not null default 0,
  judged integer not null default 0,
  successes integer not null default 0,
  reward_sum double precision not null default 0,
  latency_n integer not null default 0,
  latency_sum double precision not null default 0,
  primary key (grain, bucket, model, task_type, arm)
);
alter table public.param_arm_rollups enable row level security;
create index param_arm_rollups_model_idx on public.param_arm_rollups (model);

create policy "Operators can view parameter arm rollups"
  on public.param_arm_rollups for select to authenticated using ((select private.is_operator()));

-- Adds (sign = 1) or removes (sign = -1) one interaction's contribution to every rollup.
create or replace function private.rollup_interaction(r public.interactions, delta integer)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_model text := private.interaction_model(r.model_used, r.routing_decision);
  v_task text := coalesce(r.task_type, '');
  v_finished boolean := r.status in ('completed', 'failed');
  v_reward double precision := private.interaction_reward(r.status, r.success_rating, r.feedback);
  v_attempts jsonb := private.interaction_attempts(r.routing_decision);
  v_lat double precision := case when r.status = 'completed' then r.response_time end;
  v_lb integer := private.latency_bucket(case when r.status = 'completed' then r.response_time end);
  v_arm text := case when r.status in ('completed', 'failed') then private.interaction_arm(r.routing_decision) end;
  v_has_fallback boolean := false;
  v_rescuer text;
  v_hour timestamptz := date_trunc('hour', r.created_at, 'UTC');
  v_day timestamptz := date_trunc('day', r.created_at, 'UTC');
begin
  if v_finished then
    v_has_fallback := exists (
      select 1 from jsonb_array_elements(v_attempts) a
      where a ->> 'ok' = 'false' and coalesce(a ->> 'reason', '') <> 'cancelled');
  end if;

  insert into public.interaction_rollups as t (grain, bucket, model, task_type, interactions, completed, failed,
    cancelled, judged, successes, reward_sum, rated, rating_sum, thumbs_up, thumbs_down, fallbacks, explored,
    regenerations, latency_n, latency_sum, latency_hist)
  select g.grain, g.bucket, v_model, g.task, delta,
    delta * (r.status = 'completed')::integer,
    delta * (r.status = 'failed')::integer,
    delta * (r.status = 'cancelled')::integer,
    delta * (v_reward is not null)::integer,
    delta * coalesce(v_reward >= 0.5, false)::integer,
    delta * coalesce(v_reward, 0),
    delta * (r.success_rating is not null)::integer,
    delta * coalesce(r.success_rating, 0),
    delta * coalesce(r.feedback ->> 'thumbs' = 'up', false)::integer,
    delta * coalesce(r.feedback ->> 'thumbs' = 'down', false)::integer,
    delta * v_has_fallback::integer,
    delta * coalesce(v_finished and r.routing_decision -> 'explored' = 'true'::jsonb, false)::integer,
    delta * (r.parent_id is not null)::integer,
    delta * (v_lat is not null)::integer,
    delta * coalesce(v_lat, 0),
    private.hist_add(array_fill(0, array[48]), v_lb, delta)
  from (values ('hour', v_hour, v_task), ('day', v_day, v_task), ('hour', v_hour, '*'), ('day', v_day, '*')) as g (grain, bucket, task)
  on conflict (grain, bucket, model, task_type) do update set
    interactions = t.interactions + excluded.interactions,
    completed = t.completed + excluded.completed,
    failed = t.failed + excluded.failed,
    cancelled = t.cancelled + excluded.cancelled,
    judged = t.judged + excluded.judged,
    successes = t.successes + excluded.successes,
    reward_sum = t.reward_sum + excluded.reward_sum,
    rated = t.rated + excluded.rated,
    rating_sum = t.rating_sum + excluded.rating_sum,
    thumbs_up = t.thumbs_up + excluded.thumbs_up,
    thumbs_down = t.thumbs_down + excluded.thumbs_down,
    fallbacks = t.fallbacks + excluded.fallbacks,
    explored = t.explored + excluded.explored,
    regenerations = t.regenerations + excluded.regenerations,
    latency_n = t.latency_n + excluded.latency_n,
    latency_sum = t.latency_sum + excluded.latency_sum,
    latency_hist = private.hist_add(t.latency_hist, v_lb, delta);

  if v_has_fallback then
    v_rescuer := case when r.status = 'completed' then coalesce((
      select a ->> 'model' from jsonb_array_elements(v_attempts) with ordinality as x (a, i)
      where a ->> 'ok' = 'true' order by i desc limit 1), nullif(r.model_used, ''), '') else '' end;
    insert into public.fallback_rollups as t (grain, bucket, task_type, failed_model, rescue_model, count)
    select g.grain, g.bucket, v_task, f.model, v_rescuer, delta * f.n
    from (values ('hour', v_hour), ('day', v_day)) as g (grain, bucket),
      (select coalesce(a ->> 'model', '') as model, count(*)::integer as n from jsonb_array_elements(v_attempts) a
       where a ->> 'ok' = 'false' and coalesce(a ->> 'reason', '') <> 'cancelled' group by 1) f
    on conflict (grain, bucket, task_type, failed_model, rescue_model) do update set count = t.count + excluded.count;
  end if;

  if v_arm is not null and v_model <> '' then
    insert into public.param_arm_rollups as t (grain, bucket, model, task_type, arm, interactions, judged, successes,
      reward_sum, latency_n, latency_sum)
    select g.grain, g.bucket, v_model, g.task, v_arm, delta,
      delta * (v_reward is not null)::integer,
      delta * coalesce(v_reward >= 0.5, false)::integer,
      delta * coalesce(v_reward, 0),
      delta * (v_lat is not null)::integer,
      delta * coalesce(v_lat, 0)
    from (values ('hour', v_hour, v_task), ('day', v_day, v_task), ('hour', v_hour, '*'), ('day', v_day, '*')) as g (grain, bucket, task)
    on conflict (grain, bucket, model, task_type, arm) do update set
      interactions = t.interactions + excluded.interactions,
      judged = t.judged + excluded.judged,
      successes = t.successes + excluded.successes,
      reward_sum = t.reward_sum + excluded.reward_sum,
      latency_n = t.latency_n + excluded.latency_n,
      latency_sum = t.latency_sum + excluded.latency_sum;
  end if;
end
$$;

create or replace function private.interactions_rollup_trigger()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    perform private.rollup_interaction(old, -1);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    perform private.rollup_interaction(new, 1);
  end if;
  return null;
end
$$;

create trigger interactions_rollup_insert
  after insert on public.interactions
  for each row execute function private.interactions_rollup_trigger();
-- Only changes that move a number: the rest (response text, embeddings, tokens) skip it.
create trigger interactions_rollup_update
  after update on public.interactions
  for each row
  when (old.status is distinct from new.status
    or old.success_rating is distinct from new.success_rating
    or old.feedback is distinct from new.feedback
    or old.model_used is distinct from new.model_used
    or old.task_type is distinct from new.task_type
    or old.response_time is distinct from new.response_time
    or old.routing_decision is distinct from new.routing_decision
    or old.created_at is distinct from new.created_at
    or old.parent_id is distinct from new.parent_id)
  execute function private.interactions_rollup_trigger();
create trigger interactions_rollup_delete
  after delete on public.interactions
  for each row execute function private.interactions_rollup_trigger();

-- Recomputes every rollup from the interactions in one set-based pass: after a bulk load
-- with the triggers off (the demo seed), or to check the triggers (the tests compare both).
create or replace function private.rebuild_analytics_rollups()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  truncate public.interaction_rollups, public.fallback_rollups, public.param_arm_rollups;

  drop table if exists pg_temp.analytics_facts;
  create temporary table analytics_facts as
  select
    private.interaction_model(i.model_used, i.routing_decision) as model,
    coalesce(i.task_type, '') as task,
    i.status,
    i.status in ('completed', 'failed') as finished,
    private.interaction_reward(i.status, i.success_rating, i.feedback) as reward,
    i.success_rating,
    i.feedback ->> 'thumbs' as thumbs,
    i.routing_decision -> 'explored' = 'true'::jsonb as explored,
    i.parent_id is not null as regenerated,
    case when i.status = 'completed' then i.response_time end as lat,
    case when i.status in ('completed', 'failed') then private.interaction_arm(i.routing_decision) end as arm,
    case when i.status in ('completed', 'failed') and exists (
      select 1 from jsonb_array_elements(private.interaction_attempts(i.routing_decision)) a
      where a ->> 'ok' = 'false' and coalesce(a ->> 'reason', '') <> 'cancelled') then i.routing_decision end as fallback_decision,
    i.model_used,
    date_trunc('hour', i.created_at, 'UTC') as hour,
    date_trunc('day', i.created_at, 'UTC') as day
  from public.interactions i;

  insert into public.interaction_rollups (grain, bucket, model, task_type, interactions, completed, failed,
    cancelled, judged, successes, reward_sum, rated, rating_sum, thumbs_up, thumbs_down, fallbacks, explored,
    regenerations, latency_n, latency_sum, latency_hist)
  with facts as (
    select g.grain, g.bucket, g.task as task_key, f.*
    from pg_temp.analytics_facts f
    cross join lateral (values ('hour', f.hour, f.task), ('day', f.day, f.task), ('hour', f.hour, '*'), ('day', f.day, '*')) as g (grain, bucket, task)
  ),
  agg as (
    select grain, bucket, model, task_key as task, count(*) as interactions,
      count(*) filter (where status = 'completed') as completed,
      count(*) filter (where status = 'failed') as failed,
      count(*) filter (where status = 'cancelled') as cancelled,
      count(reward) as judged,
      count(*) filter (where reward >= 0.5) as successes,
      coalesce(sum(reward), 0) as reward_sum,
      count(success_rating) as rated,
      coalesce(sum(success_rating), 0) as rating_sum,
      count(*) filter (where thumbs = 'up') as thumbs_up,
      count(*) filter (where thumbs = 'down') as thumbs_down,
      count(fallback_decision) as fallbacks,
      count(*) filter (where finished and explored) as explored,
      count(*) filter (where regenerated) as regenerations,
      count(lat) as latency_n,
      coalesce(sum(lat), 0) as latency_sum
    from facts
    group by grain, bucket, model, task_key
  ),
  hist as (
    select grain, bucket, model, task, jsonb_object_agg(k, n) as counts
    from (
      select grain, bucket, model, task_key as task, private.latency_bucket(lat) as k, count(*) as n
      from facts where lat is not null
      group by 1, 2, 3, 4, 5
    ) c
    group by 1, 2, 3, 4
  )
  select a.grain, a.bucket, a.model, a.task, a.interactions, a.completed, a.failed, a.cancelled, a.judged,
    a.successes, a.reward_sum, a.rated, a.rating_sum, a.thumbs_up, a.thumbs_down, a.fallbacks, a.explored,
    a.regenerations, a.latency_n, a.latency_sum,
    (select array_agg(coalesce((h.counts ->> k::text)::integer, 0) order by k) from generate_series(1, 48) k)
  from agg a
  left join hist h on h.grain = a.grain and h.bucket = a.bucket and h.model = a.model and h.task = a.task;

  insert into public.fallback_rollups (grain, bucket, task_type, failed_model, rescue_model, count)
  select g.grain, g.bucket, f.task, coalesce(a ->> 'model', ''), r.rescuer, count(*)
  from pg_temp.analytics_facts f
  cross join lateral (select case when f.status = 'completed' then coalesce((
      select x.a ->> 'model' from jsonb_array_elements(private.interaction_attempts(f.fallback_decision)) with ordinality as x (a, i)
      where x.a ->> 'ok' = 'true' order by x.i desc limit 1), nullif(f.model_used, ''), '') else '' end as rescuer) r
  cross join lateral jsonb_array_elements(private.interaction_attempts(f.fallback_decision)) a
  cross join lateral (values ('hour', f.hour), ('day', f.day)) as g (grain, bucket)
  where f.fallback_decision is not null and a ->> 'ok' = 'false' and coalesce(a ->> 'reason', '') <> 'cancelled'
  group by 1, 2, 3, 4, 5;

  insert into public.param_arm_rollups (grain, bucket, model, task_type, arm, interactions, judged, successes,
    reward_sum, latency_n, latency_sum)
  select g.grain, g.bucket, f.model, g.task, f.arm, count(*), count(f.reward), count(*) filter (where f.reward >= 0.5),
    coalesce(sum(f.reward), 0), count(f.lat), coalesce(sum(f.lat), 0)
  from pg_temp.analytics_facts f
  cross join lateral (values ('hour', f.hour, f.task), ('day', f.day, f.task), ('hour', f.hour, '*'), ('day', f.day, '*')) as g (grain, bucket, task)
  where f.arm is not null and f.model <> ''
  group by 1, 2, 3, 4, 5;

  drop table pg_temp.analytics_facts;
end
$$;

-- Functions are executable by everyone by default, and the API roles may use schema private:
-- the writers run as their owner, so keep them out of the API's reach.
revoke execute on function private.rollup_interaction(public.interactions, integer) from public, anon, authenticated;
revoke execute on function private.interactions_rollup_trigger() from public, anon, authenticated;
revoke execute on function private.rebuild_analytics_rollups() from public, anon, authenticated;
