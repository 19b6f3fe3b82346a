import { Placeholder } from "@/components/placeholder";
import { pageIdentity } from "@/lib/auth/page";

export default async function ChatPage() {
  await pageIdentity("/chat");
  return (
    <Placeholder title="Chat" testId="page-chat">
      <p>Coming next: streaming answers routed to the best of the five models, with why each model was chosen, what failed before it, and feedback (thumbs, stars, corrections, “this model would have been better”) that changes the next decision.</p>
      <p>Conversations are already stored per user with row-level security.</p>
    </Placeholder>
  );
}
