-- Knowledge scoped by owner. An entry learned from a user's answers (a well-rated answer, a
-- correction) belongs to that user: only they (and operators) can read it, and only their own
-- requests are grounded in it, until an operator approves it for everyone (owner_id = null).
-- Documents an operator uploads have no owner: everyone reads them.
alter table public.knowledge_base add column owner_id text;
create index knowledge_base_owner_id_idx on public.knowledge_base (owner_id);

drop policy if exists "Authenticated users can view active knowledge" on public.knowledge_base;
create policy "Users can view shared active knowledge and their own"
  on public.knowledge_base for select to authenticated
  using (
    (select private.is_operator())
    or (status = 'active' and (owner_id is null or owner_id = (select private.current_user_id())))
  );
