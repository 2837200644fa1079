import { createContext, useContext } from "react";
import type { ToolsPageQuery } from "../gql/graphql";
import { type Permission, permissionOf } from "../permissions/permissions";

export type Viewer = ToolsPageQuery["viewer"];

export const ViewerContext = createContext<Viewer | null>(null);

/** Who is signed in and what the API says they may do. */
export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error("useViewer() outside the signed-in page");
  return viewer;
}

/** Whether the viewer may perform an operation (not about one carrier), as viewer.permissions says. */
export function useViewerPermission(operation: string): Permission {
  return permissionOf(useViewer().permissions, operation);
}
