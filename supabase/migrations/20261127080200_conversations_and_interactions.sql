-- Conversations and interactions: each user sees only their own; operators may read all
-- (analytics, export) but change none that are not theirs.

create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  user_id text not null default (auth.uid())::text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(metadata) = 'object'),
  title text not null default 'New conversation' check (char_length(title) between 1 and 200)
);
alter table public.conversations enable row level security;
create index conversations_user_id_updated_at_idx on public.conversations (user_id, updated_at desc);

create trigger conversations_touch_updated_at
  before update on public.conversations
  for each row execute function private.touch_updated_at();

create policy "Users can view their own conversations"
  on public.conversations for select to authenticated
  using (user_id = (select private.current_user_id()) or (select private.is_operator()));
create policy "Users can create their own conversations"
  on public.conversations for insert to authenticated
  with check (user_id = (select private.current_user_id()));
create policy "Users can update their own conversations"
  on public.conversations for update to authenticated
  using (user_id = (select private.current_user_id()))
  with check (user_id = (select private.current_user_id()));
create policy "Users can delete their own conversations"
  on public.conversations for delete to authenticated
  using (user_id = (select private.current_user_id()));

create table public.interactions (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  user_prompt text not null,
  model_used text,
  routing_decision jsonb not null default '{}'::jsonb,
  response text,
  success_rating integer check (success_rating between 1 and 5),
  response_time float check (response_time >= 0), -- milliseconds from request to last token
  created_at timestamptz not null default now(),
  feedback jsonb not null default '{}'::jsonb check (jsonb_typeof(feedback) = 'object'),
  -- Added for the features; the columns above are the seed's.
  user_id text not null default (auth.uid())::text,
  status text not null default 'started'
    check (status in ('started', 'completed', 'failed', 'cancelled')),
  task_type text check (task_type in ('math', 'algorithm', 'code_generation', 'debugging',
    'refactoring_optimization', 'architecture', 'explanation', 'general')),
  source text not null default 'chat' check (source in ('chat', 'api', 'seed')),
  parent_id uuid references public.interactions (id) on delete set null, -- regenerated from
  config_version_id uuid references public.config_versions (id),
  experiment_id uuid,
  experiment_arm text check (experiment_arm in ('control', 'variant')),
  error jsonb,
  prompt_tokens integer check (prompt_tokens >= 0),
  completion_tokens integer check (completion_tokens >= 0),
  completed_at timestamptz
);
alter table public.interactions enable row level security;
create index interactions_conversation_id_created_at_idx on public.interactions (conversation_id, created_at);
create index interactions_user_id_idx on public.interactions (user_id);
create index interactions_created_at_idx on public.interactions (created_at);
create index interactions_model_used_task_type_idx on public.interactions (model_used, task_type, created_at);
create index interactions_parent_id_idx on public.interactions (parent_id);
create index interactions_config_version_id_idx on public.interactions (config_version_id);
create index interactions_experiment_id_idx on public.interactions (experiment_id);

create policy "Users can view their own interactions"
  on public.interactions for select to authenticated
  using (user_id = (select private.current_user_id()) or (select private.is_operator()));
create policy "Users can add interactions to their own conversations"
  on public.interactions for insert to authenticated
  with check (
    user_id = (select private.current_user_id())
    and exists (
      select 1 from public.conversations c
      where c.id = conversation_id and c.user_id = (select private.current_user_id())
    )
  );
create policy "Users can update their own interactions"
  on public.interactions for update to authenticated
  using (user_id = (select private.current_user_id()))
  with check (
    user_id = (select private.current_user_id())
    and exists (
      select 1 from public.conversations c
      where c.id = conversation_id and c.user_id = (select private.current_user_id())
    )
  );
create policy "Users can delete their own interactions"
  on public.interactions for delete to authenticated
  using (user_id = (select private.current_user_id()));
