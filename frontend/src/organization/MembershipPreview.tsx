import { useQuery } from "urql";
import { MembershipPreviewDocument } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { EffectiveChanges } from "./EffectiveChanges";

interface Props {
  carrier: { id: string; code: string };
  /** Where the carrier would be: an organization, or null for none (detaching). */
  organization: { id: string; name: string } | null;
}

/** The change's effect on the carrier's enablements, before it is made (the API's membershipPreview). */
export function MembershipPreview({ carrier, organization }: Props) {
  const [{ data, fetching, error }, refetch] = useQuery({
    query: MembershipPreviewDocument,
    variables: { carrierId: carrier.id, organizationId: organization?.id ?? null },
    requestPolicy: "network-only",
  });
  const where = organization ? `in ${organization.name}` : "in no organization";
  return (
    <section className="impact" aria-label="Effect of this change" aria-live="polite" aria-busy={fetching}>
      {error ? <RequestProblemAlert problem={describeRequestError(error)} onRetry={() => refetch({ requestPolicy: "network-only" })} /> : null}
      {fetching && !data ? <p>Working out what this changes for {carrier.code}…</p> : null}
      {data?.membershipPreview ? (
        data.membershipPreview.length === 0 ? (
          <p>No feature of {carrier.code} changes: its effective values are the same {where}.</p>
        ) : (
          <>
            <p>
              {where.charAt(0).toUpperCase() + where.slice(1)}, {data.membershipPreview.length} of {carrier.code}’s features would
              change:
            </p>
            <EffectiveChanges changes={data.membershipPreview} title={`What changes for ${carrier.code}`} />
          </>
        )
      ) : null}
      {data && !data.membershipPreview ? <p>The effect cannot be shown: that organization is beyond your reach.</p> : null}
    </section>
  );
}
