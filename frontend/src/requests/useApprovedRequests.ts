import { ChangeRequestsChangedDocument } from "../gql/graphql";
import { useLive } from "../graphql/useLive";

// No variables: the subscription sends each request the viewer sees (staff: every one; others: their own).
const EVERY_REQUEST = {};

/**
 * Calls `readAgain` when a request the viewer sees is approved (the change it proposed was just made, by
 * staff elsewhere), or when events may have been missed: the tabs that show what a request changes (the
 * organization, enablements, API keys) read themselves again, as they do on their own live events.
 */
export function useApprovedRequests(readAgain: () => void): void {
  useLive(ChangeRequestsChangedDocument, EVERY_REQUEST, (event) => {
    if (event === null || event.changeRequestsChanged.state === "APPROVED") readAgain();
  });
}
