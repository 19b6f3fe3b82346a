-- An API client sends the whole conversation with every request. Its last answer, when it
-- was ours, names the conversation the request continues and the answer it follows up on
-- (lib/db/queries/interactions.ts, answerWithResponse). Found by the text's hash, so the
-- lookup is one index probe however many answers the user has.
create index interactions_user_id_response_md5_idx on public.interactions (user_id, md5(response)) where status = 'completed';
