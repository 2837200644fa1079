import { useCallback, useState } from "react";
import { type AnyVariables, type TypedDocumentNode, useMutation } from "urql";
import { describeRequestError, type RequestProblem } from "./problems";
import { type FormProblem, toFormProblem, userErrorOf } from "./userErrors";

type Member = { __typename?: string } | null | undefined;

/**
 * A mutation behind a form: runs it, and sorts its answer into the payload, a typed error (shown at
 * its field, or as a conflict to reload), or a failed request (network, rate limit). The form keeps
 * its contents whatever happens; only the caller clears them, on success.
 */
export function useFormMutation<TData, TVariables extends AnyVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  knownFields: readonly string[] = [],
) {
  const [state, execute] = useMutation<TData, TVariables>(document);
  const [requestProblem, setRequestProblem] = useState<RequestProblem | null>(null);
  const [formProblem, setFormProblem] = useState<FormProblem | null>(null);

  const run = useCallback(
    async <TMember extends Member>(variables: TVariables, pick: (data: TData) => TMember) => {
      setRequestProblem(null);
      setFormProblem(null);
      const result = await execute(variables);
      if (result.error) {
        setRequestProblem(describeRequestError(result.error));
        return null;
      }
      const member = result.data ? pick(result.data) : null;
      if (!member) {
        setRequestProblem({ kind: "server", code: null, message: "The server gave no answer; nothing was changed." });
        return null;
      }
      const userError = userErrorOf(member);
      if (userError) {
        setFormProblem(toFormProblem(userError, knownFields));
        return null;
      }
      return member as Exclude<TMember, null | undefined>;
    },
    [execute, knownFields],
  );

  const reset = useCallback(() => {
    setRequestProblem(null);
    setFormProblem(null);
  }, []);

  return { run, fetching: state.fetching, requestProblem, formProblem, reset };
}
