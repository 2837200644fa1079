import { useState } from "react";
import { useQuery } from "urql";
import { OrganizationSizeDocument } from "../gql/graphql";
import { DeleteOrganizationDialog } from "./DeleteOrganizationDialog";

/** After a carrier leaves an organization: if none are left, offer to delete it (staff only). */
export function LeftOrganization({ id, onDeleted }: { id: string; onDeleted: (name: string) => void }) {
  const [{ data }] = useQuery({ query: OrganizationSizeDocument, variables: { id }, requestPolicy: "network-only" });
  const [confirming, setConfirming] = useState(false);
  const organization = data?.organization;
  if (!organization) return null;
  const left = organization.carriers.totalCount;
  return (
    <div className="notice">
      <p>
        {organization.name} has {left === 0 ? "no carriers left" : `${left} carrier${left === 1 ? "" : "s"} left`}.
      </p>
      {left === 0 ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete organization {organization.name}
        </button>
      ) : null}
      {confirming ? (
        <DeleteOrganizationDialog organization={organization} onDeleted={onDeleted} onClose={() => setConfirming(false)} />
      ) : null}
    </div>
  );
}
