import { createContext, useContext } from "react";
import type { ToolsPageQuery } from "../gql/graphql";

export type Viewer = ToolsPageQuery["viewer"];

export const ViewerContext = createContext<Viewer | null>(null);

/** Who is signed in and what the API says they may do. */
export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error("useViewer() outside the signed-in page");
  return viewer;
}

// TODO(issue 15): replace with viewer.permissions / Carrier.permissions once the API has them; until
// then the one thing the API tells us is whether restricted functions answer.
export function mayUseRestricted(viewer: Viewer): boolean {
  return viewer.canUseRestrictedFunctions;
}
