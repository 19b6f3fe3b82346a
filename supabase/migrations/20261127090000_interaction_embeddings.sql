-- The embedding of each request's prompt: the nearest-neighbour voter of the classifier and
-- the learned routing patterns compare new requests with past rated ones.
alter table public.interactions
  add column prompt_embedding extensions.vector(768),
  add column embedding_model text,
  add constraint interactions_embedding_model_check check (prompt_embedding is null or embedding_model is not null);

create index interactions_prompt_embedding_idx on public.interactions
  using hnsw (prompt_embedding extensions.vector_cosine_ops);
