import { notFound } from "next/navigation";
import { z } from "zod";
import { ChatApp } from "@/components/chat/chat-app";
import { pageIdentity } from "@/lib/auth/page";
import { loadChat } from "@/lib/chat/load";
import { maxContextTokens } from "@/lib/orchestrator/context";

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const identity = (await pageIdentity(`/chat/${id}`))!;
  const chat = await loadChat(identity, id);
  if (!chat.found) notFound();
  return <ChatApp conversationId={id} conversations={chat.conversations} initialTurns={chat.turns} models={chat.models} maxContextTokens={await maxContextTokens()} />;
}
