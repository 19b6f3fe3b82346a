-- Editors' completions (fill-in-the-middle, raw completions): recorded apart from the chat's
-- interactions, in batches after they finish (lib/orchestrator/completion-log.ts), because an
-- editor asks at keystroke rate and a conversation per keystroke would bury the chat. Only the
-- server writes them; a user reads (and may delete) their own, an operator reads all. The text before and after the
-- cursor is not kept, only its size: it is the user's file.
create table public.completions (
  id uuid primary key default gen_random_uuid(),
  user_id text not null,
  model text not null check (char_length(model) between 1 and 200),
  status text not null check (status in ('completed', 'failed')),
  prompt_chars integer not null check (prompt_chars >= 0),
  suffix_chars integer not null check (suffix_chars >= 0),
  response text not null default '',
  ttft_ms float check (ttft_ms >= 0),
  response_time float check (response_time >= 0),
  prompt_tokens integer check (prompt_tokens >= 0),
  completion_tokens integer check (completion_tokens >= 0),
  error jsonb,
  created_at timestamptz not null default now()
);
alter table public.completions enable row level security;
create index completions_user_id_created_at_idx on public.completions (user_id, created_at);
create index completions_created_at_idx on public.completions (created_at);

create policy "Users can view their own completions"
  on public.completions for select to authenticated
  using (user_id = (select private.current_user_id()) or (select private.is_operator()));
create policy "Users can delete their own completions"
  on public.completions for delete to authenticated
  using (user_id = (select private.current_user_id()));
revoke insert, update on public.completions from anon, authenticated;

-- API keys are checked from memory on the request path (lib/api/key-cache.ts): a revoked or
-- deleted key, by whichever instance, the CLI or the API, announces itself so every instance
-- forgets its keys at once (payload as lib/db/changes.ts).
create or replace function private.announce_keys_changed() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_notify('elite_changes', '{"topic":"keys"}');
  return null;
end
$$;
revoke all on function private.announce_keys_changed() from public, anon, authenticated;

create trigger api_keys_revoked
  after update of revoked_at on public.api_keys
  for each row when (new.revoked_at is distinct from old.revoked_at)
  execute function private.announce_keys_changed();
create trigger api_keys_deleted
  after delete on public.api_keys
  for each statement execute function private.announce_keys_changed();
