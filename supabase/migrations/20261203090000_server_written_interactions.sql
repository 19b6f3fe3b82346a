-- Server-written facts stay server-written. A signed-in user reads their own interactions and
-- gives feedback on them, nothing else: inserting interactions and changing the model,
-- response, status, timings, routing decision, experiment assignment, config version or
-- automatic checks happen only on the server's own path (the table owner), never through the
-- API roles. Feedback goes through one narrow, validated function.
--
-- Review of what a signed-in user may write through PostgREST after this migration:
--   conversations     own rows: title, metadata (their own chats)
--   interactions      nothing directly; feedback through public.give_feedback; delete own rows
--   api_keys          own rows (their own keys)
--   everything else   operators only, or nobody (rollups, learning state: the server)

drop policy if exists "Users can add interactions to their own conversations" on public.interactions;
drop policy if exists "Users can update their own interactions" on public.interactions;
revoke insert, update on public.interactions from anon, authenticated;

-- The keys a user may set in an interaction's feedback (the server adds `auto`, the checks it ran).
create or replace function private.user_feedback_keys()
returns text[]
language sql immutable
set search_path = ''
as $$
  select array['thumbs', 'rating', 'tags', 'correction', 'betterModel', 'copied', 'preferred', 'taskType', 'updatedAt']
$$;

-- Merges a user's feedback into one of their own interactions (and sets the star rating when
-- given); returns the interaction, or nothing when it is not theirs. Refuses keys a user may
-- not write and values of the wrong shape.
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
revoke execute on function private.user_feedback_keys() from public, anon, authenticated;
