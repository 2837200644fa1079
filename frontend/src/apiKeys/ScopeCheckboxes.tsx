import { useId } from "react";
import type { ApiKeyScope } from "../gql/graphql";
import { FieldMessage } from "../ui/FieldMessage";
import type { KeyPolicy } from "./policy";

interface Props {
  /** Every scope and what it lets a key do, as the API describes them (apiKeyPolicy.scopes). */
  scopes: KeyPolicy["scopes"];
  /** The scopes the signed-in person holds (viewer.scopes): a key cannot get more. */
  grantable: readonly ApiKeyScope[];
  value: ApiKeyScope[];
  onChange: (value: ApiKeyScope[]) => void;
  error: string | undefined;
}

/** One checkbox per scope, with the API's explanation; a scope included in a chosen one shows as held. */
export function ScopeCheckboxes({ scopes, grantable, value, onChange, error }: Props) {
  const id = useId();
  const toggle = (scope: ApiKeyScope, on: boolean) => onChange(on ? [...value, scope] : value.filter((held) => held !== scope));
  const includedBy = (scope: ApiKeyScope) =>
    scopes.find((other) => value.includes(other.scope) && other.includes.includes(scope))?.scope ?? null;
  return (
    <fieldset aria-describedby={`${id}-help${error ? ` ${id}-error` : ""}`}>
      <legend>Scopes</legend>
      <p id={`${id}-help`} className="hint">
        Limit what the key can access: give it only what its integration needs.
      </p>
      {scopes
        .filter((scope) => grantable.includes(scope.scope))
        .map((scope) => {
          const via = value.includes(scope.scope) ? null : includedBy(scope.scope);
          return (
            <label key={scope.scope} className="choice">
              <input
                type="checkbox"
                checked={value.includes(scope.scope) || via !== null}
                disabled={via !== null}
                onChange={(event) => toggle(scope.scope, event.target.checked)}
              />
              <code>{scope.scope}</code> — {scope.description}
              {via ? <span className="muted"> (included in {via})</span> : null}
            </label>
          );
        })}
      <FieldMessage id={`${id}-error`} message={error} />
    </fieldset>
  );
}
