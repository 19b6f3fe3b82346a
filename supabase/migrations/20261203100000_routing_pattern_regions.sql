-- A learned routing pattern is a region of requests, not one exemplar: the requests whose
-- feedback agreed with it (it grows) and the requests inside it whose outcome disagreed (it
-- shrinks). A new request belongs to a pattern when its nearest member is an agreeing one
-- and is similar enough relative to the embedding model's own distribution
-- (lib/learning/pattern-region.ts). Written only by the server's learning code; no API role
-- reads or writes it (RLS on, no policies): members are other users' requests.
create table public.routing_pattern_members (
  id uuid primary key default gen_random_uuid(),
  pattern_id uuid not null references public.learning_patterns (id) on delete cascade,
  interaction_id uuid references public.interactions (id) on delete set null,
  user_id uuid,
  agrees boolean not null,
  task_type text,
  embedding extensions.vector(768) not null,
  embedding_model text not null,
  created_at timestamptz not null default now()
);
alter table public.routing_pattern_members enable row level security;
create index routing_pattern_members_pattern_idx on public.routing_pattern_members (pattern_id);
create index routing_pattern_members_embedding_idx on public.routing_pattern_members
  using hnsw (embedding extensions.vector_cosine_ops);

-- Existing patterns keep their exemplar as their first agreeing member.
insert into public.routing_pattern_members (pattern_id, agrees, task_type, embedding, embedding_model, created_at)
select id, true, task_type, embedding, embedding_model, created_at
from public.learning_patterns
where pattern_type = 'routing' and embedding is not null and embedding_model is not null;
