import { ChatApp } from "@/components/chat/chat-app";
import { pageIdentity } from "@/lib/auth/page";
import { loadChat } from "@/lib/chat/load";
import { maxContextTokens } from "@/lib/orchestrator/context";

export default async function NewChatPage() {
  const identity = (await pageIdentity("/chat"))!;
  const chat = await loadChat(identity, null);
  if (!chat.found) return null;
  return <ChatApp conversationId={null} conversations={chat.conversations} initialTurns={[]} models={chat.models} maxContextTokens={await maxContextTokens()} />;
}
