import { type FragmentType, getFragmentData } from "../gql";
import { EffectiveChangeFieldsFragmentDoc, type EnablementSource } from "../gql/graphql";

/** An effective change as a query or mutation answers it (`...EffectiveChangeFields`, masked): only this
 * component reads its fields. */
export type EffectiveChangeRef = FragmentType<typeof EffectiveChangeFieldsFragmentDoc>;

export const SOURCE_LABELS: Record<EnablementSource, string> = {
  CARRIER: "carrier setting",
  ORGANIZATION: "organization setting",
  DEFAULT: "feature default",
};

const onOff = (value: boolean) => (value ? "On" : "Off");

/** Which features' effective values a change turned on or off, for which carriers. */
export function EffectiveChanges({ changes: refs, title }: { changes: readonly EffectiveChangeRef[]; title: string }) {
  const changes = getFragmentData(EffectiveChangeFieldsFragmentDoc, refs);
  if (changes.length === 0) {
    return <p>No feature’s effective value changed.</p>;
  }
  return (
    <table className="table stacked">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Carrier</th>
          <th scope="col">Feature</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
          <th scope="col">Now comes from</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((change) => (
          <tr key={`${change.carrier?.id ?? "?"}/${change.feature?.id ?? "?"}`}>
            <td data-label="Carrier">{change.carrier?.code ?? "—"}</td>
            <td data-label="Feature">{change.feature?.name ?? change.feature?.key ?? "—"}</td>
            <td data-label="Before">{onOff(change.before)}</td>
            <td data-label="After">{onOff(change.after)}</td>
            <td data-label="Now comes from">{SOURCE_LABELS[change.source]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
