-- A follow-up in a conversation ("continue", "and in rust?", "per region") is classified and
-- judged in its conversation (lib/learning/request-in-conversation.ts): its label and its
-- outcome belong to the conversation, not to its few words. As a neighbour it taught requests
-- worded like it the task type and the best model of some other conversation (every
-- "continue" is near every other), so the request path's neighbour reads leave out answers
-- whose routing decision marks them a follow-up (`followUp`). Otherwise as
-- 20261208090000_request_neighbours.sql.
create or replace function private.request_neighbours(p_embedding extensions.vector, p_confirmed integer, p_outcomes integer)
returns jsonb language plpgsql volatile
set search_path = ''
set enable_seqscan = off
set enable_bitmapscan = off
set enable_sort = off
set hnsw.iterative_scan = relaxed_order
set hnsw.ef_search = 40
set hnsw.max_scan_tuples = 1000
as $$
declare
  confirmed jsonb := '[]'::jsonb;
  outcomes jsonb := '[]'::jsonb;
begin
  if p_confirmed > 0 then
    perform set_config('hnsw.ef_search', least(1000, greatest(40, p_confirmed))::text, true),
            set_config('hnsw.max_scan_tuples', greatest(1000, 50 * p_confirmed)::text, true);
    select coalesce(jsonb_agg(jsonb_build_object(
             'id', n.id, 'task_type', n.task_type, 'stated', n.stated, 'user_prompt', n.user_prompt,
             'model_used', n.model_used, 'success_rating', n.success_rating, 'similarity', 1 - n.d)
           order by n.d, n.id), '[]'::jsonb)
      into confirmed
      from (
        select i.id, private.confirmed_task_type(i.task_type, i.success_rating, i.feedback) as task_type,
               i.feedback ? 'taskType' as stated, i.user_prompt, i.model_used, i.success_rating,
               i.prompt_embedding operator(extensions.<=>) p_embedding as d
        from public.interactions i
        where i.prompt_embedding is not null and i.status = 'completed'
          and not coalesce((i.routing_decision ->> 'followUp')::boolean, false)
          and (i.success_rating >= 4 or i.feedback ->> 'thumbs' = 'up' or i.feedback ? 'taskType')
          and private.confirmed_task_type(i.task_type, i.success_rating, i.feedback) is not null
        order by i.prompt_embedding operator(extensions.<=>) p_embedding
        limit p_confirmed
      ) n;
  end if;
  if p_outcomes > 0 then
    perform set_config('hnsw.ef_search', least(1000, greatest(40, p_outcomes))::text, true),
            set_config('hnsw.max_scan_tuples', greatest(1000, 50 * p_outcomes)::text, true);
    select coalesce(jsonb_agg(jsonb_build_object('model', n.model, 'reward', n.reward, 'similarity', 1 - n.d) order by n.d, n.id), '[]'::jsonb)
      into outcomes
      from (
        select i.id, i.model_used as model, private.interaction_reward(i.status, i.success_rating, i.feedback) as reward,
               i.prompt_embedding operator(extensions.<=>) p_embedding as d
        from public.interactions i
        where i.prompt_embedding is not null and i.status = 'completed' and i.model_used is not null
          and not coalesce((i.routing_decision ->> 'followUp')::boolean, false)
        order by i.prompt_embedding operator(extensions.<=>) p_embedding
        limit p_outcomes
      ) n;
  end if;
  return jsonb_build_object('confirmed', confirmed, 'outcomes', outcomes);
end
$$;

revoke all on function private.request_neighbours(extensions.vector, integer, integer) from public, anon, authenticated;
