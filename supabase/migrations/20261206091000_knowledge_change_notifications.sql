-- Every app instance remembers whether the knowledge base has anything to retrieve (the
-- request path then asks the database nothing about it). Any change to the entries, by
-- whichever instance or by an operator through the API, announces itself on the channel
-- the instances listen on (payload as in lib/db/changes.ts) and the memory is dropped.
--
-- One function announces every topic, named by the trigger's argument; the triggers of
-- routing patterns and API keys move onto it and their own copies go.
create or replace function private.announce_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_notify('elite_changes', json_build_object('topic', tg_argv[0])::text);
  return null;
end
$$;
revoke all on function private.announce_change() from public, anon, authenticated;

create trigger knowledge_base_changed
  after insert or update or delete on public.knowledge_base
  for each statement execute function private.announce_change('knowledge');

drop trigger routing_pattern_members_changed on public.routing_pattern_members;
create trigger routing_pattern_members_changed
  after insert or update or delete on public.routing_pattern_members
  for each statement execute function private.announce_change('patterns');
drop trigger learning_patterns_routing_inserted on public.learning_patterns;
create trigger learning_patterns_routing_inserted
  after insert on public.learning_patterns
  for each row when (new.pattern_type = 'routing')
  execute function private.announce_change('patterns');
drop trigger learning_patterns_routing_updated on public.learning_patterns;
create trigger learning_patterns_routing_updated
  after update on public.learning_patterns
  for each row when (new.pattern_type = 'routing' or old.pattern_type = 'routing')
  execute function private.announce_change('patterns');
drop trigger learning_patterns_routing_deleted on public.learning_patterns;
create trigger learning_patterns_routing_deleted
  after delete on public.learning_patterns
  for each row when (old.pattern_type = 'routing')
  execute function private.announce_change('patterns');
drop function private.announce_patterns_changed();

drop trigger api_keys_revoked on public.api_keys;
create trigger api_keys_revoked
  after update of revoked_at on public.api_keys
  for each row when (new.revoked_at is distinct from old.revoked_at)
  execute function private.announce_change('keys');
drop trigger api_keys_deleted on public.api_keys;
create trigger api_keys_deleted
  after delete on public.api_keys
  for each statement execute function private.announce_change('keys');
drop function private.announce_keys_changed();
