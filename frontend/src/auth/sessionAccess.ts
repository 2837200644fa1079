import { createContext, useContext } from "react";

/** The signed-in session for requests outside GraphQL (the CSV exports): its token, and how to end it. */
export interface SessionAccess {
  token: () => string;
  /** The server said the session is over: back to sign-in, keeping drafts. */
  expire: () => void;
}

export const SessionAccessContext = createContext<SessionAccess | null>(null);

export function useSessionAccess(): SessionAccess {
  const access = useContext(SessionAccessContext);
  if (!access) throw new Error("useSessionAccess() outside the signed-in page");
  return access;
}
