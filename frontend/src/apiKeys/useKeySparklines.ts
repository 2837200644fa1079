import { useEffect, useMemo } from "react";
import { useQuery } from "urql";
import { ApiKeyUsageSparklinesDocument } from "../gql/graphql";
import { daysSince, type UsageDay } from "./usage";

// `nodes(ids:)` takes at most MAX_IDS_PER_REQUEST (100) ids: a longer list shows the first hundred's.
const MAX_IDS = 100;
const REFRESH_MS = 60_000;

/** The listed keys' last 30 days, one request for the list (read again each minute, as counts land). */
export function useKeySparklines(ids: readonly string[]): ReadonlyMap<string, readonly UsageDay[]> {
  const wanted = ids.slice(0, MAX_IDS);
  const key = wanted.join(",");
  // Today's UTC day fixes the period: the variables stay the same between renders.
  const since = daysSince();
  const variables = useMemo(() => ({ ids: key ? key.split(",") : [], since }), [key, since]);
  const [{ data }, refetch] = useQuery({ query: ApiKeyUsageSparklinesDocument, variables, pause: !key });
  useEffect(() => {
    if (!key) return;
    const timer = window.setInterval(() => refetch({ requestPolicy: "network-only" }), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [key, refetch]);
  return useMemo(() => {
    const found = new Map<string, readonly UsageDay[]>();
    for (const node of data?.nodes ?? []) {
      if (node?.__typename === "ApiKey") found.set(node.id, node.usage);
    }
    return found;
  }, [data]);
}
