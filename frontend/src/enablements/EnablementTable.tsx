import { type FragmentType, getFragmentData } from "../gql";
import { EnablementFieldsFragmentDoc, type EnablementFieldsFragment } from "../gql/graphql";
import { Time } from "../time/Time";
import type { Permission } from "../permissions/permissions";
import { RequestInstead } from "../requests/RequestInstead";
import { Permitted } from "../ui/Permitted";
import { SOURCE_TEXT, STATE_LABELS } from "./labels";

interface Props {
  caption: string;
  /** Whose setting: "WSOR", or the organization's name. */
  owner: string;
  level: "carrier" | "organization";
  /** The rows as the query answers them (`...EnablementFields`, masked: this table reads them). */
  rows: readonly FragmentType<typeof EnablementFieldsFragmentDoc>[];
  /** Whether the API lets the viewer change settings at this level, and why not. */
  permission: Permission;
  /** The row whose Change button was pressed, as the table read it. */
  onChange: (row: EnablementFieldsFragment) => void;
  /** Where the viewer may not change it: request the change from Support instead. */
  onRequest?: (row: EnablementFieldsFragment) => void;
  requesting?: string | null;
}

/** Every feature: the setting at this level, the value in effect, and where that value comes from. */
export function EnablementTable({ caption, owner, level, rows: refs, permission, onChange, onRequest, requesting }: Props) {
  const rows = getFragmentData(EnablementFieldsFragmentDoc, refs);
  return (
    <table className="table enablements stacked">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Feature</th>
          <th scope="col">Setting</th>
          <th scope="col">Effective</th>
          <th scope="col">{level === "carrier" ? "Comes from" : "Value carriers inherit comes from"}</th>
          <th scope="col">Last changed</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.feature.id}>
            <th scope="row" data-label="Feature">
              <span className="feature-name">{row.feature.name}</span> <code>{row.feature.key}</code>
              <br />
              <span className="muted">{row.feature.description}</span>
            </th>
            <td data-label="Setting">{STATE_LABELS[row.state]}</td>
            <td data-label="Effective">
              <span className={row.effective ? "badge on" : "badge off"}>{row.effective ? "On" : "Off"}</span>
            </td>
            <td data-label={level === "carrier" ? "Comes from" : "Carriers inherit from"}>{SOURCE_TEXT[row.source]}</td>
            <td data-label="Last changed">
              {row.updatedAt ? (
                <>
                  <Time iso={row.updatedAt} />
                  {row.updatedBy?.name ? <span className="muted"> by {row.updatedBy.name}</span> : null}
                </>
              ) : (
                "—"
              )}
            </td>
            <td data-label="Actions" className="actions-cell">
              <Permitted permission={permission}>
                {(control) => (
                  <button type="button" {...control} onClick={() => onChange(row)}>
                    Change
                    <span className="visually-hidden">
                      {" "}
                      {row.feature.name} for {owner}
                    </span>
                  </button>
                )}
              </Permitted>
              {onRequest ? (
                <RequestInstead
                  permission={permission}
                  what={`${row.feature.name} for ${owner}`}
                  expanded={requesting === row.feature.key}
                  onRequest={() => onRequest(row)}
                />
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
