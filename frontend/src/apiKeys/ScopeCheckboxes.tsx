import type { ApiKeyScope } from "../gql/graphql";
import { API_KEY_SCOPES } from "../gql/schemaEnums";
import { FieldMessage } from "../ui/FieldMessage";

interface Props {
  /** The scopes the signed-in person holds (viewer.scopes): a key cannot get more. */
  grantable: readonly ApiKeyScope[];
  value: ApiKeyScope[];
  onChange: (value: ApiKeyScope[]) => void;
  error: string | undefined;
}

/** One checkbox per scope, with what it lets the key do. */
export function ScopeCheckboxes({ grantable, value, onChange, error }: Props) {
  const toggle = (scope: ApiKeyScope, on: boolean) =>
    onChange(on ? [...value, scope] : value.filter((held) => held !== scope));
  return (
    <fieldset aria-describedby={error ? "scopes-error" : undefined}>
      <legend>Scopes</legend>
      <p className="hint">Limit what the key can access: give it only what its integration needs.</p>
      {API_KEY_SCOPES.filter((scope) => grantable.includes(scope.value)).map((scope) => (
        <label key={scope.value} className="choice">
          <input type="checkbox" checked={value.includes(scope.value)} onChange={(event) => toggle(scope.value, event.target.checked)} />
          <code>{scope.value}</code> — {scope.description}
        </label>
      ))}
      <FieldMessage id="scopes-error" message={error} />
    </fieldset>
  );
}
