/**
 * A client's own housekeeping, not a user's request: Open WebUI asks the model it chats with
 * for a chat's title, its tags, follow-up suggestions, search queries and autocompletion, each
 * as one message that opens with `### Task:` and quotes the chat between `<chat_history>`
 * tags (its default templates). Such a request is answered (by the router's small model when
 * the client asked for `elite`), recorded apart, kept out of the chat list and teaches the
 * routing nothing: its outcome says how a model fills in a form, not how it answers a user.
 */
const OPENS_WITH_TASK = /^\s*#{2,4}\s*Task:/;
const QUOTES_A_CHAT = /<chat_history>[\s\S]*<\/chat_history>/;

export function isClientTask(prompt: string): boolean {
  return OPENS_WITH_TASK.test(prompt) && QUOTES_A_CHAT.test(prompt);
}
