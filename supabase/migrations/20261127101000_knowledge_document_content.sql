-- The uploaded file itself, so ingestion (parse → chunk → embed → index) runs as a job and a
-- document can be re-indexed later (a new embedding model, a better parser) without asking
-- for the file again. Size is limited by the upload (10 MB).
alter table public.documents add column content bytea;
