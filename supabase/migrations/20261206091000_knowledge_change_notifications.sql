-- Every app instance remembers whether the knowledge base has anything to retrieve (the
-- request path then asks the database nothing about it). Any change to the entries, by
-- whichever instance or by an operator through the API, announces itself on the channel
-- the instances listen on (payload as in lib/db/changes.ts) and the memory is dropped.
create or replace function private.announce_knowledge_changed() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_notify('elite_changes', '{"topic":"knowledge"}');
  return null;
end
$$;
revoke all on function private.announce_knowledge_changed() from public, anon, authenticated;

create trigger knowledge_base_changed
  after insert or update or delete on public.knowledge_base
  for each statement execute function private.announce_knowledge_changed();
