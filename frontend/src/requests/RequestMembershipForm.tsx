import { useEffect, useId } from "react";
import { useQuery } from "urql";
import { ReachableOrganizationsDocument } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { usePageSize, WANTED } from "../limits/pageSize";
import { focusSoon } from "../ui/focus";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import type { ChosenOrganization } from "./OrganizationChoice";
import { RequestChangeForm } from "./RequestChangeForm";

interface Props {
  carrier: { id: string; code: string; version: number };
  /** Its organization now (a move), or null (it joins one). */
  from: ChosenOrganization | null;
  onDone: (summary: string) => void;
  onCancel: () => void;
}

/**
 * "Request this change" for adding a carrier to an organization or moving it to another. A request may
 * name only what its maker reaches (else the API answers "not found"), and the directory of every
 * organization is staff's: so the choices are the viewer's own organizations (`viewer.organizations`),
 * and with none to choose the form says why and what to do instead of offering an empty list.
 */
export function RequestMembershipForm({ carrier, from, onDone, onCancel }: Props) {
  const first = usePageSize(WANTED.switcher);
  const [{ data, error }, refetch] = useQuery({
    query: ReachableOrganizationsDocument,
    variables: { first },
    requestPolicy: "cache-and-network",
  });
  if (error && !data) {
    return <RequestProblemAlert problem={describeRequestError(error)} onRetry={() => refetch({ requestPolicy: "network-only" })} />;
  }
  if (!data) return <p role="status">Loading the organizations you can choose…</p>;
  const reachable = data.viewer.organizations;
  const choices = reachable.nodes.filter((organization) => organization.id !== from?.id);
  if (choices.length === 0) return <NothingToChoose carrierCode={carrier.code} from={from} onClose={onCancel} />;
  return (
    <RequestChangeForm
      title={from ? `Move ${carrier.code} from ${from.name} to another organization.` : `Add ${carrier.code} to an organization.`}
      extra={{ kind: "organization", carrier, moving: from !== null, choices, more: reachable.totalCount - reachable.nodes.length }}
      propose={({ organization }) =>
        from
          ? {
              moveCarrier: {
                carrierId: carrier.id,
                fromOrganizationId: from.id,
                toOrganizationId: organization?.id ?? "",
                expectedVersion: carrier.version,
              },
            }
          : { attachCarrier: { carrierId: carrier.id, organizationId: organization?.id ?? "", expectedVersion: carrier.version } }
      }
      onDone={onDone}
      onCancel={onCancel}
    />
  );
}

/** No organization to choose: why, and who can ask instead (the reach rules, in words). */
function NothingToChoose({ carrierCode, from, onClose }: { carrierCode: string; from: ChosenOrganization | null; onClose: () => void }) {
  const id = useId();
  useEffect(() => {
    focusSoon(() => document.getElementById(`${id}-title`));
  }, [id]);
  return (
    <section className="panel request-form" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} tabIndex={-1}>
        No organization to choose
      </h3>
      <p>
        {from
          ? `${from.name} is the only organization within your reach, so there is none to move ${carrierCode} to.`
          : `No organization is within your reach, so there is none to add ${carrierCode} to.`}{" "}
        A request can name only organizations you administer, or that one of your carriers belongs to.
      </p>
      <p>
        For an organization beyond your reach, contact Support: only someone who administers both {carrierCode} and that
        organization can request it here (an organization’s administrators do not reach carriers outside it).
        {from ? "" : ` To put ${carrierCode} in a new organization, request one with “Create new Organization”.`}
      </p>
      <div className="actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
