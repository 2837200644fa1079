import { useCallback } from "react";
import { useMutation } from "urql";
import type { ActorKind } from "../gql/graphql";
import { RequestChangeDocument } from "../gql/graphql";
import { toFormProblem, userErrorOf } from "../graphql/userErrors";
import { type KeyPolicy, mayIssueNonExpiring } from "../apiKeys/policy";
import { FieldMessage } from "../ui/FieldMessage";

/**
 * Whether the create-key form offers "Request a key that never expires": where the key policy allows such
 * keys but not from this viewer (staff issue them), and the viewer may request changes. Where a level of
 * the policy forbids them, staff could not approve it either (the policy binds staff too), so nothing is
 * offered and the form names that level instead.
 */
export function mayRequestNeverExpiring(policy: KeyPolicy, viewerKind: ActorKind, mayRequest: boolean): boolean {
  return mayRequest && policy.nonExpiringAllowed && !mayIssueNonExpiring(policy, viewerKind);
}

interface Props {
  checked: boolean;
  reason: string;
  onChange: (change: { requestNever?: boolean; requestReason?: string }) => void;
  /** The id of the reason's field (the form focuses it when the reason is missing). */
  reasonId: string;
  reasonError: string | null | undefined;
}

/** In the create-key form, below the expiry: ask Support to make the new key one that never expires. */
export function NeverExpiringRequest({ checked, reason, onChange, reasonId, reasonError }: Props) {
  return (
    <div className="field request-never">
      <label className="choice">
        <input
          type="checkbox"
          checked={checked}
          aria-describedby={`${reasonId}-about`}
          onChange={(event) => onChange({ requestNever: event.target.checked })}
        />
        Request a key that never expires
      </label>
      <p id={`${reasonId}-about`} className="hint">
        Only staff issue keys that never expire. The key is created now with the expiry chosen above, and Support is asked to
        make it never expire; until they approve, it expires as chosen. Its secret is shown once, now, either way.
      </p>
      {checked ? (
        <>
          <label htmlFor={reasonId}>Why it must never expire (Support reads this)</label>
          <textarea
            id={reasonId}
            rows={2}
            maxLength={500}
            value={reason}
            required
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? `${reasonId}-error` : undefined}
            onChange={(event) => onChange({ requestReason: event.target.value })}
          />
          <FieldMessage id={`${reasonId}-error`} message={reasonError} />
        </>
      ) : null}
    </div>
  );
}

/**
 * Sends the request for a key just created: the neverExpiringKey proposal (the key and the version it
 * was created at). Answers what to tell the user beside the secret: the request as Support will read it,
 * or why it was not made (the key exists either way, with its expiry).
 */
export function useRequestNeverExpiring(): (key: { id: string; version: number }, reason: string) => Promise<string> {
  const [, execute] = useMutation(RequestChangeDocument);
  return useCallback(
    async (key, reason) => {
      const result = await execute({ input: { reason, neverExpiringKey: { apiKeyId: key.id, expectedVersion: key.version } } });
      const payload = result.data?.requestChange;
      if (payload?.__typename === "ChangeRequestPayload") {
        return `Requested from Support: ${payload.changeRequest.summary}. Until they approve, the key expires as chosen; the answer will appear under Requests.`;
      }
      const userError = userErrorOf(payload);
      const why = userError ? describe(toFormProblem(userError)) : (result.error?.message ?? "no answer from the server");
      return `The key was created, but the request that it never expire was not made (${why}). Contact Support if you still need it.`;
    },
    [execute],
  );
}

function describe(problem: ReturnType<typeof toFormProblem>): string {
  return problem.general ?? Object.values(problem.fields)[0] ?? "refused";
}
