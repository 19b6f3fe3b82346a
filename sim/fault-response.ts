/** The faults that decide a response before any work is done: refused, a server error, an unknown model, a hang. */
import type http from "node:http";
import type { Fault } from "./faults";
import { json, type Pacer } from "./http-io";

/** Answers as the fault says; true when the response is taken care of (no work to do). */
export async function respondWithFault(req: http.IncomingMessage, res: http.ServerResponse, fault: Fault | undefined, name: string, pacer: Pacer): Promise<boolean> {
  if (!fault) return false;
  switch (fault.kind) {
    case "refuse":
      req.socket.destroy();
      return true;
    case "http500":
      json(res, 500, { error: "llama runner process has terminated: exit status 2" });
      return true;
    case "unknown_model":
      json(res, 404, { error: `model "${name}" not found, try pulling it first` });
      return true;
    case "timeout":
      await pacer.hang();
      return true;
    default:
      return false;
  }
}
