-- An API client sends the whole conversation with every request. Its last answer, when it
-- was ours, names the conversation the request continues and the answer it follows up on
-- (lib/db/queries/interactions.ts, answerWithResponse). Found by the hash of the text without
-- the white space at its ends (a client may trim it), so the lookup is one index probe however
-- many answers the user has.
create index interactions_user_id_response_md5_idx on public.interactions (user_id, md5(btrim(response, E' \t\r\n'))) where status = 'completed';
