-- The knowledge base: uploaded documents and the chunks (and learned entries) drawn from them.

create table public.documents (
  id uuid primary key default gen_random_uuid(),
  title text not null check (char_length(title) between 1 and 300),
  filename text not null,
  mime_type text not null,
  size_bytes integer not null check (size_bytes >= 0),
  content_hash text not null,
  status text not null default 'queued'
    check (status in ('queued', 'parsing', 'chunking', 'embedding', 'indexing', 'ready', 'failed')),
  progress float not null default 0 check (progress between 0 and 1),
  error text,
  chunk_count integer not null default 0 check (chunk_count >= 0),
  embedding_model text,
  uploaded_by text not null default (auth.uid())::text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  metadata jsonb not null default '{}'::jsonb
);
alter table public.documents enable row level security;
create unique index documents_content_hash_idx on public.documents (content_hash);
create index documents_status_idx on public.documents (status);
create index documents_uploaded_by_idx on public.documents (uploaded_by);
create trigger documents_touch_updated_at
  before update on public.documents
  for each row execute function private.touch_updated_at();

create policy "Authenticated users can view documents"
  on public.documents for select to authenticated using (true);
create policy "Operators can upload documents"
  on public.documents for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can update documents"
  on public.documents for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can delete documents"
  on public.documents for delete to authenticated using ((select private.is_operator()));

create table public.knowledge_base (
  id uuid primary key default gen_random_uuid(),
  topic text not null default '',
  content text not null check (char_length(content) > 0),
  source text not null check (source in ('document_ingestion', 'user_feedback', 'interaction_learning')),
  confidence float not null default 0.5 check (confidence between 0 and 1),
  created_at timestamptz not null default now(),
  embeddings extensions.vector(768),
  -- Added: which model made the embedding, where the entry came from, its review state.
  embedding_model text,
  document_id uuid references public.documents (id) on delete cascade,
  chunk_index integer check (chunk_index >= 0),
  interaction_id uuid references public.interactions (id) on delete set null,
  content_hash text not null,
  status text not null default 'active' check (status in ('active', 'pending', 'rejected', 'merged')),
  metadata jsonb not null default '{}'::jsonb,
  created_by text,
  updated_at timestamptz not null default now(),
  fts tsvector generated always as (
    setweight(to_tsvector('english', coalesce(topic, '')), 'A') || to_tsvector('english', content)
  ) stored,
  check (embeddings is null or embedding_model is not null)
);
alter table public.knowledge_base enable row level security;
create index knowledge_base_embeddings_idx on public.knowledge_base
  using hnsw (embeddings extensions.vector_cosine_ops);
create index knowledge_base_fts_idx on public.knowledge_base using gin (fts);
create index knowledge_base_source_topic_idx on public.knowledge_base (source, topic);
create index knowledge_base_status_idx on public.knowledge_base (status);
create index knowledge_base_document_id_idx on public.knowledge_base (document_id, chunk_index);
create index knowledge_base_content_hash_idx on public.knowledge_base (content_hash);
create index knowledge_base_interaction_id_idx on public.knowledge_base (interaction_id);
create trigger knowledge_base_touch_updated_at
  before update on public.knowledge_base
  for each row execute function private.touch_updated_at();

create policy "Authenticated users can view active knowledge"
  on public.knowledge_base for select to authenticated
  using (status = 'active' or (select private.is_operator()));
create policy "Operators can add knowledge"
  on public.knowledge_base for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can update knowledge"
  on public.knowledge_base for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can delete knowledge"
  on public.knowledge_base for delete to authenticated using ((select private.is_operator()));
