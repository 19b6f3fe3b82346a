-- When an answer last received feedback, and free-text comments on answers.
--
-- When an answer last received feedback. The Learning Director's analysis window is by
-- feedback time as well as creation time, so feedback given after a run on an older answer
-- is still analysed by the next run. Set by a trigger on every path that writes feedback.
alter table public.interactions add column feedback_at timestamptz;

create or replace function private.stamp_feedback_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    -- Rows written with their feedback (imports, demo history): feedback as old as the answer.
    if new.feedback_at is null and (new.feedback <> '{}'::jsonb or new.success_rating is not null) then
      new.feedback_at := new.created_at;
    end if;
  elsif new.feedback is distinct from old.feedback or new.success_rating is distinct from old.success_rating then
    new.feedback_at := now();
  end if;
  return new;
end
$$;

create trigger interactions_stamp_feedback_at
  before insert or update of feedback, success_rating on public.interactions
  for each row execute function private.stamp_feedback_at();

create index interactions_feedback_time_idx on public.interactions ((coalesce(feedback_at, created_at)))
  where feedback <> '{}'::jsonb;

-- Answers that already have feedback: as old as the answer.
update public.interactions set feedback_at = created_at
 where feedback_at is null and (feedback <> '{}'::jsonb or success_rating is not null);

-- Free-text comments on an answer ("add type hints", "too long"): the Learning Director groups
-- them by meaning. Users may write them through the narrow feedback path, as text.
create or replace function private.user_feedback_keys()
returns text[]
language sql immutable
set search_path = ''
as $$
  select array['thumbs', 'rating', 'tags', 'correction', 'comment', 'betterModel', 'copied', 'preferred', 'taskType', 'updatedAt']
$$;
revoke execute on function private.user_feedback_keys() from public, anon, authenticated;

create or replace function public.give_feedback(p_interaction_id uuid, p_rating integer, p_feedback jsonb)
returns setof public.interactions
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user text := private.current_user_id();
  v_key text;
begin
  if v_user is null then
    raise exception 'sign in to give feedback' using errcode = '42501';
  end if;
  if jsonb_typeof(coalesce(p_feedback, '{}'::jsonb)) <> 'object' then
    raise exception 'feedback must be an object' using errcode = '22023';
  end if;
  for v_key in select jsonb_object_keys(coalesce(p_feedback, '{}'::jsonb)) loop
    if not v_key = any (private.user_feedback_keys()) then
      raise exception 'feedback key "%" cannot be written by a user', v_key using errcode = '42501';
    end if;
  end loop;
  if p_feedback ? 'thumbs' and jsonb_typeof(p_feedback -> 'thumbs') <> 'null' and p_feedback ->> 'thumbs' not in ('up', 'down') then
    raise exception 'thumbs must be up or down' using errcode = '22023';
  end if;
  if p_feedback ? 'comment' and (jsonb_typeof(p_feedback -> 'comment') <> 'string' or length(p_feedback ->> 'comment') > 20000) then
    raise exception 'comment must be text of at most 20000 characters' using errcode = '22023';
  end if;
  if p_feedback ? 'taskType' and p_feedback ->> 'taskType' not in ('math', 'algorithm', 'code_generation', 'debugging',
      'refactoring_optimization', 'architecture', 'explanation', 'general') then
    raise exception 'taskType must be one of the task types' using errcode = '22023';
  end if;
  return query
    update public.interactions i
       set feedback = i.feedback || coalesce(p_feedback, '{}'::jsonb),
           success_rating = coalesce(p_rating, i.success_rating)
     where i.id = p_interaction_id and i.user_id = v_user
    returning i.*;
end
$$;

revoke execute on function public.give_feedback(uuid, integer, jsonb) from public, anon;
grant execute on function public.give_feedback(uuid, integer, jsonb) to authenticated;
