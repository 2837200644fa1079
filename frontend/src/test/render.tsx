// Render a component with a fake urql client whose answers the test decides, and a viewer.
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { type Client, Provider } from "urql";
import { fromValue, never } from "wonka";
import { makeFragmentData } from "../gql";
import { PermissionFieldsFragmentDoc } from "../gql/graphql";
import { type PageLimits, PageLimitsContext } from "../limits/pageSize";
import { ViewerContext, type Viewer } from "../shell/viewer";

const RESTRICTED = "A restricted function for platform staff (organization structure). Contact Support if you need access.";

/** A permission as a query answers it: masked (only permissions.ts reads PermissionFields). */
export function permission(operation: string, allowed = true, reason: string | null = null): Viewer["permissions"][number] {
  const fields = { __typename: "Permission" as const, operation, allowed, reason: allowed ? null : (reason ?? RESTRICTED) };
  return { __typename: "Permission", ...makeFragmentData(fields, PermissionFieldsFragmentDoc) };
}

export const ADMIN: Viewer = {
  __typename: "Viewer",
  kind: "ADMIN",
  id: "dev-admin-WSOR",
  name: "WSOR administrator",
  email: null,
  isStaff: false,
  canUseRestrictedFunctions: false,
  restrictedFunctionsNotice: "Organization changes are restricted functions for platform staff. Contact Support.",
  reachesAllCarriers: false,
  scopes: ["CARRIER_READ", "ENABLEMENTS_READ", "KEYS_READ", "KEYS_WRITE", "ACTIVITY_READ"],
  permissions: [
    permission("createApiKey"),
    permission("updateApiKey"),
    permission("rotateApiKey"),
    permission("revokeApiKey"),
    permission("exportApiKeys"),
    permission("exportActivity"),
    permission("createOrganization", false),
    permission("renameOrganization", false),
  ],
  carriers: {
    __typename: "CarrierConnection",
    totalCount: 1,
    pageInfo: { __typename: "PageInfo", hasNextPage: false, endCursor: null },
    nodes: [{ __typename: "Carrier", id: "c1", code: "WSOR", name: "Wisconsin & Southern Railroad" }] },
};

export function fakeClient(answer: (operationName: string, variables: Record<string, unknown>) => unknown): Client & { sent: { name: string; variables: Record<string, unknown> }[] } {
  const sent: { name: string; variables: Record<string, unknown> }[] = [];
  const execute = (request: { query: { definitions: readonly { name?: { value: string } }[] }; variables: Record<string, unknown> }) => {
    const name = request.query.definitions[0]?.name?.value ?? "?";
    sent.push({ name, variables: request.variables });
    const data = answer(name, request.variables);
    return data === undefined ? never : fromValue({ data, stale: false, hasNext: false });
  };
  // client.query(...).toPromise(): what a component reads outside useQuery (the pages after the first).
  const query = (document: Parameters<typeof execute>[0]["query"], variables: Record<string, unknown>) => ({
    toPromise: async () => {
      const name = document.definitions[0]?.name?.value ?? "?";
      sent.push({ name, variables });
      return { data: answer(name, variables) };
    },
  });
  // client.subscription(...).subscribe(...): what useLive opens; nothing ever arrives on it here.
  const subscription = () => ({ subscribe: () => ({ unsubscribe: () => undefined }) });
  return { executeQuery: execute, executeMutation: execute, executeSubscription: () => never, query, subscription, sent } as unknown as Client & {
    sent: typeof sent;
  };
}

/** A connection of `items`, `first` at a time after the cursor (an index as text), as the server pages it. */
export function connectionPage<T>(typename: string, items: readonly T[], first: number, after: string | null) {
  const start = after ? Number(after) : 0;
  const end = Math.min(start + first, items.length);
  return {
    __typename: typename,
    totalCount: items.length,
    pageInfo: { __typename: "PageInfo", hasNextPage: end < items.length, endCursor: String(end) },
    nodes: items.slice(start, end),
  };
}

/** The server's default page sizes. */
export const LIMITS: PageLimits = { defaultPageSize: 20, maxPageSize: 100 };

export function renderWith(ui: ReactElement, client: Client, viewer: Viewer = ADMIN, limits: PageLimits = LIMITS) {
  return render(
    <Provider value={client}>
      <PageLimitsContext.Provider value={limits}>
        <ViewerContext.Provider value={viewer}>{ui}</ViewerContext.Provider>
      </PageLimitsContext.Provider>
    </Provider>,
  );
}

