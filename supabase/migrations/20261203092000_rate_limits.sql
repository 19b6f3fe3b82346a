-- Per-user rate limits that hold across restarts and instances: one counter per (user,
-- action, window). Only the server's own path reads or writes it (schema private, no grants).
create table private.rate_limit_hits (
  user_id text not null,
  action text not null,
  window_start timestamptz not null,
  hits integer not null default 0,
  primary key (user_id, action, window_start)
);
create index rate_limit_hits_window_start_idx on private.rate_limit_hits (window_start);
revoke all on private.rate_limit_hits from public, anon, authenticated;
