-- A client's own housekeeping (Open WebUI's title, tags, follow-up suggestions, search
-- queries: lib/domain/client-task.ts) is recorded like any request, marked, so that it stays
-- out of the chat list and out of the learning. Written by the server only, as the rest of
-- the row (20261203090000_server_written_interactions.sql).
alter table public.interactions add column client_task boolean not null default false;
