import { useId } from "react";
import type { ApiKeyScope } from "../gql/graphql";
import { FieldMessage } from "../ui/FieldMessage";
import { type KeyPolicy, setBy } from "./policy";
import { LEVEL_LABELS, type Level, levelOf, resourcesOf, withLevel } from "./scopeAccess";

interface Props {
  /** Every scope with its resource, level and explanation, as the API describes them (apiKeyPolicy.scopes). */
  policy: Pick<KeyPolicy, "scopes">;
  /** The scopes the signed-in person may hand out (viewer.scopes, or a service key's): a key gets no more. */
  grantable: readonly ApiKeyScope[];
  value: ApiKeyScope[];
  onChange: (value: ApiKeyScope[]) => void;
  error: string | undefined;
  /** The id of the first choice, for the form to focus when nothing is chosen yet. */
  firstInputId?: string;
}

/** What the key may reach: one row per resource, no access / read / read and write in words, the scope codes beside them. */
export function ScopeAccessField({ policy, grantable, value, onChange, error, firstInputId }: Props) {
  const id = useId();
  const resources = resourcesOf(policy).filter((resource) => Object.values(resource.scopes).some((scope) => grantable.includes(scope.scope)));
  return (
    <fieldset className="access" aria-describedby={`${id}-help${error ? ` ${id}-error` : ""}`} aria-invalid={error ? true : undefined}>
      <legend>Permissions</legend>
      <p id={`${id}-help`} className="hint">
        Limit what the key can access: give it only what its integration needs.
      </p>
      {resources.map((resource, row) => {
        const current = levelOf(resource, value);
        const levels: Level[] = ["NONE", ...(["READ", "WRITE"] as const).filter((level) => resource.scopes[level])];
        const helpId = `${id}-${row}-help`;
        return (
          <fieldset key={resource.name} className="access-row" aria-describedby={helpId}>
            <legend>{resource.name}</legend>
            <div className="access-levels">
              {levels.map((level, index) => {
                const scope = level === "NONE" ? undefined : resource.scopes[level];
                // A scope the caller lacks, or one the key policy leaves out, cannot be chosen.
                const held = !scope || (grantable.includes(scope.scope) && scope.allowed !== false);
                return (
                  <label key={level} className="choice">
                    <input
                      type="radio"
                      id={row === 0 && index === 0 ? firstInputId : undefined}
                      name={`${id}-${row}`}
                      checked={current === level}
                      disabled={!held}
                      onChange={() => onChange(withLevel(resource, level, value))}
                    />
                    {LEVEL_LABELS[level]}
                    {scope ? <code className="scope-code"> {scope.scope}</code> : null}
                    {scope && scope.allowed === false && scope.notAllowedBy ? (
                      <span className="muted"> (not allowed: {setBy(scope.notAllowedBy)})</span>
                    ) : null}
                  </label>
                );
              })}
            </div>
            <p id={helpId} className="hint">
              {levels
                .filter((level) => level !== "NONE")
                .map((level) => `${LEVEL_LABELS[level]}: ${resource.scopes[level as "READ" | "WRITE"]?.description ?? ""}`)
                .join(" ")}
            </p>
          </fieldset>
        );
      })}
      <FieldMessage id={`${id}-error`} message={error} />
    </fieldset>
  );
}
