import { useQuery } from "urql";
import { CarrierIdDocument } from "../gql/graphql";
import { useViewer } from "./viewer";

/**
 * A carrier's global id from its code (the route's), for queries that take an id: from the first
 * request's list of carriers when it is there (no request), else asked of the API.
 */
export function useCarrierId(code: string): { id: string | null; missing: boolean; error: ReturnType<typeof useQuery>[0]["error"] } {
  const known = useViewer().carriers.nodes.find((carrier) => carrier.code === code)?.id ?? null;
  const [{ data, error }] = useQuery({ query: CarrierIdDocument, variables: { code }, pause: known !== null });
  if (known) return { id: known, missing: false, error: undefined };
  return { id: data?.carrier?.id ?? null, missing: data !== undefined && !data.carrier, error };
}
