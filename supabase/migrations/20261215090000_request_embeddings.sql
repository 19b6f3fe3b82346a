-- Each request's embedding, in a table of its own that is written once. In the interaction's
-- row it was taken again by its HNSW index at every later change of the row (the answer, a
-- rating, feedback, an implicit verdict from the next message): PostgreSQL writes a new
-- version of an updated row, and every index of the row takes the new version unless nothing
-- indexed changed, which an answer's outcome always does. Apart, it is inserted once, and what
-- is said of the answer later touches no vector index (`npm run bench:recording`, 2,000
-- requests, p50: a rating 2.5 → 1.6 ms on the embedded database and 1.7 → 1.1 ms on
-- PostgreSQL; the next message's verdict 2.4 → 1.5 and 1.1 → 0.7 ms).
--
-- The requests whose task type is confirmed (an answered request whose label a person stated,
-- or rated well: private.confirmed_request) have their embedding copied into a second table,
-- so the classifier's neighbours are walked through an index of the confirmed ones alone, as
-- before (20261206090000_confirmed_neighbours_index.sql). Triggers keep the copy: a request
-- enters it when confirmed and leaves it when no longer, and the embedding's own row is never
-- written again. Only the server's own path reads or writes either table (schema private, no
-- grants); a user's data goes with its interaction.
--
-- Both rules are pure expressions over built-ins without a fixed search_path, so the planner
-- inlines them into the reads over many interactions (a SET clause makes each a function call
-- per row, with its settings saved and restored: ~30 µs; the classifier's neighbours read
-- called one per candidate). confirmed_task_type keeps its body
-- (20261203080000_confirmed_task_type.sql) and loses its SET clause.
alter function private.confirmed_task_type(text, integer, jsonb) reset all;

create or replace function private.confirmed_request(status text, task_type text, rating integer, feedback jsonb)
returns boolean
language sql immutable
as $$
  select status = 'completed' and private.confirmed_task_type(task_type, rating, feedback) is not null
$$;

-- The vectors are kept in the row (storage plain: 3 KB, two rows to a page), not moved out to
-- the TOAST table as pgvector's type would by default once a row passes 2 KB: writing one is
-- then one heap tuple, not three, and the reads' distances need no second fetch.
create table private.request_embeddings (
  interaction_id uuid primary key references public.interactions (id) on delete cascade,
  embedding extensions.vector(768) not null,
  embedding_model text not null
);
alter table private.request_embeddings alter column embedding set storage plain;
revoke all on private.request_embeddings from public, anon, authenticated;

create table private.confirmed_request_embeddings (
  interaction_id uuid primary key references private.request_embeddings (interaction_id) on delete cascade,
  embedding extensions.vector(768) not null
);
alter table private.confirmed_request_embeddings alter column embedding set storage plain;
revoke all on private.confirmed_request_embeddings from public, anon, authenticated;

insert into private.request_embeddings (interaction_id, embedding, embedding_model)
select id, prompt_embedding, embedding_model from public.interactions where prompt_embedding is not null;
insert into private.confirmed_request_embeddings (interaction_id, embedding)
select id, prompt_embedding from public.interactions
 where prompt_embedding is not null and private.confirmed_request(status, task_type, success_rating, feedback);

create index request_embeddings_embedding_idx on private.request_embeddings
  using hnsw (embedding extensions.vector_cosine_ops);
create index confirmed_request_embeddings_embedding_idx on private.confirmed_request_embeddings
  using hnsw (embedding extensions.vector_cosine_ops);

alter table public.interactions drop constraint interactions_embedding_model_check;
alter table public.interactions drop column prompt_embedding, drop column embedding_model;

-- An embedding recorded for a request already confirmed (its task type stated before its answer ended).
create or replace function private.copy_confirmed_embedding()
returns trigger language plpgsql security definer
set search_path = ''
as $$
begin
  insert into private.confirmed_request_embeddings (interaction_id, embedding)
  select new.interaction_id, new.embedding
    from public.interactions i
   where i.id = new.interaction_id and private.confirmed_request(i.status, i.task_type, i.success_rating, i.feedback)
  on conflict (interaction_id) do nothing;
  return null;
end
$$;
revoke all on function private.copy_confirmed_embedding() from public, anon, authenticated;
create trigger request_embeddings_copy_confirmed
  after insert on private.request_embeddings
  for each row execute function private.copy_confirmed_embedding();

-- A request confirmed, or no longer: its embedding enters or leaves the confirmed ones.
create or replace function private.keep_confirmed_embeddings()
returns trigger language plpgsql security definer
set search_path = ''
as $$
begin
  if private.confirmed_request(new.status, new.task_type, new.success_rating, new.feedback) then
    insert into private.confirmed_request_embeddings (interaction_id, embedding)
    select interaction_id, embedding from private.request_embeddings where interaction_id = new.id
    on conflict (interaction_id) do nothing;
  else
    delete from private.confirmed_request_embeddings where interaction_id = new.id;
  end if;
  return null;
end
$$;
revoke all on function private.keep_confirmed_embeddings() from public, anon, authenticated;
create trigger interactions_keep_confirmed_embeddings
  after update of status, task_type, success_rating, feedback on public.interactions
  for each row
  when (private.confirmed_request(old.status, old.task_type, old.success_rating, old.feedback)
        is distinct from private.confirmed_request(new.status, new.task_type, new.success_rating, new.feedback))
  execute function private.keep_confirmed_embeddings();

-- The request path's two nearest-neighbour reads, as in
-- 20261214090000_follow_ups_are_not_neighbours.sql, walking the embeddings' indexes and
-- reading each interaction found by its key: each in a subquery the planner keeps apart
-- (`offset 0`), so no statistics can make it read another index of the interactions instead
-- (without any, on a new database, it read a partial index of every answered request for each
-- one found). The confirmed ones are those the triggers keep (asking private.confirmed_request
-- again of each would cost a function call with its own settings per row).
create or replace function private.request_neighbours(p_embedding extensions.vector, p_confirmed integer, p_outcomes integer)
returns jsonb language plpgsql volatile
set search_path = ''
set enable_seqscan = off
set enable_bitmapscan = off
set enable_sort = off
set enable_hashjoin = off
set enable_mergejoin = off
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
               i.feedback ? 'taskType' as stated, i.user_prompt, i.model_used, i.success_rating, e.d
        from (select c.interaction_id, c.embedding operator(extensions.<=>) p_embedding as d
                from private.confirmed_request_embeddings c
               order by c.embedding operator(extensions.<=>) p_embedding offset 0) e
        cross join lateral (select * from public.interactions x where x.id = e.interaction_id offset 0) i
        where not coalesce((i.routing_decision ->> 'followUp')::boolean, false)
        order by e.d
        limit p_confirmed
      ) n;
  end if;
  if p_outcomes > 0 then
    perform set_config('hnsw.ef_search', least(1000, greatest(40, p_outcomes))::text, true),
            set_config('hnsw.max_scan_tuples', greatest(1000, 50 * p_outcomes)::text, true);
    select coalesce(jsonb_agg(jsonb_build_object('model', n.model, 'reward', n.reward, 'similarity', 1 - n.d) order by n.d, n.id), '[]'::jsonb)
      into outcomes
      from (
        select i.id, i.model_used as model, private.interaction_reward(i.status, i.success_rating, i.feedback) as reward, e.d
        from (select r.interaction_id, r.embedding operator(extensions.<=>) p_embedding as d
                from private.request_embeddings r
               order by r.embedding operator(extensions.<=>) p_embedding offset 0) e
        cross join lateral (select * from public.interactions x where x.id = e.interaction_id offset 0) i
        where i.status = 'completed' and i.model_used is not null
          and not coalesce((i.routing_decision ->> 'followUp')::boolean, false)
        order by e.d
        limit p_outcomes
      ) n;
  end if;
  return jsonb_build_object('confirmed', confirmed, 'outcomes', outcomes);
end
$$;

revoke all on function private.request_neighbours(extensions.vector, integer, integer) from public, anon, authenticated;
