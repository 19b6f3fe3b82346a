/** Documents the knowledge tests upload: a Markdown handbook with a code block, and the lines of a one-page PDF. */
export const RAFT_MD = `# Raft consensus handbook

## Leader election
A Raft follower that hears no heartbeat within the election timeout becomes a candidate,
increments its term and requests votes from every peer. A candidate that wins a majority of
votes becomes the leader for that term.

## Log replication
The leader appends client commands to its log and sends AppendEntries to followers. An entry
is committed once a majority of servers store it.

\`\`\`go
func (r *Raft) becomeCandidate() {
	r.term++
	r.votedFor = r.id
	r.state = Candidate
}
\`\`\`
`;

export const PDF_LINES = [
  "Zanzibar authorization model overview.",
  "Zanzibar stores relation tuples such as document:readme#viewer@user:alice.",
  "A check request walks the relation tuples through userset rewrites to decide access.",
];
